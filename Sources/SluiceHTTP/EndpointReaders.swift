import SluiceCSV
import SluiceCore

/// Opens files wherever they are: local ones from disk, endpoint ones as downloads streamed
/// through the same CSV reader.
public struct EndpointReaders: RecordReaderFactory {
    let client: EndpointClient
    private let local = CSVReaderFactory()

    public init(client: EndpointClient) { self.client = client }

    public func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) async throws -> any RecordReader {
        guard file.isRemote else { return try local.open(file, resume: resume, options: options) }
        let download = DownloadStream(client: client, file: file)
        do {
            try await download.start(at: 0)
            // The first bytes, with the header in them, arrive before the reader starts: reading it blocks no thread.
            await download.waitForBytes(DownloadStream.flowsAgainBelow)
            return try local.open(stream: download, gzip: file.isGzip, resume: resume, options: options)
        } catch {
            download.close()
            throw error
        }
    }
}
