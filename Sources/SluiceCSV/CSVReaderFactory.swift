import Foundation
import SluiceCore

/// Opens CSV files, plain or gzip, as record readers.
public struct CSVReaderFactory: RecordReaderFactory {
    public init() {}

    public func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) throws -> any RecordReader {
        let stream: any ByteStream = file.isGzip ? try GzipByteStream(path: file.url.path) : try FileByteStream(path: file.url.path)
        return try CSVRecordReader(stream: stream, resume: resume, options: options)
    }
}
