import Foundation
import SluiceCore

/// Opens CSV files, plain or gzip, as record readers.
public struct CSVReaderFactory: RecordReaderFactory {
    public init() {}

    public func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) throws -> any RecordReader {
        // Through the folder it was listed in, never through a link, and only the file listed.
        let folder = try file.folder ?? SupplierFolder(path: file.directory)
        let (descriptor, status) = try folder.openFile(file.relativePath, expected: file.identity)
        let raw = FileByteStream(descriptor: descriptor, path: file.path)
        let before = FileSnapshot(status)
        guard before == FileSnapshot(file) else {
            throw ReadError(.changed, "the file changed since it was listed")
        }
        let stream: any ByteStream = file.isGzip ? try GzipByteStream(source: raw, options: options) : raw
        let reader = try CSVRecordReader(stream: TranscodingByteStream.wrap(stream, options.encoding), resume: resume, options: options)
        reader.unchanged = {
            // The same bytes as when opened, and the name still leads to them.
            guard raw.snapshot == before, let now = folder.status(of: file.relativePath),
                  FileIdentity(now) == FileIdentity(status) else {
                throw ReadError(.changed, "the file was appended to, replaced or removed while it was read")
            }
        }
        return reader
    }

    /// A reader over `stream` (a download, say); `gzip` inflates it first.
    /// - Throws: `ReadError`.
    public func open(stream: any ByteStream, gzip: Bool, resume: ResumePoint, options: ReaderOptions) throws -> any RecordReader {
        let inflated: any ByteStream = gzip ? try GzipByteStream(source: stream, options: options) : stream
        return try CSVRecordReader(stream: TranscodingByteStream.wrap(inflated, options.encoding), resume: resume, options: options)
    }
}

extension CSVReaderFactory {
    /// A reader over bytes in memory; `gzip` inflates them first, as for a `.gz` file.
    /// - Throws: `ReadError`, as for a file.
    public func open(bytes: [UInt8], gzip: Bool, resume: ResumePoint = .start, options: ReaderOptions = ReaderOptions()) throws -> any RecordReader {
        let memory = MemoryByteStream(bytes)
        let stream: any ByteStream = gzip ? try GzipByteStream(source: memory, options: options) : memory
        return try CSVRecordReader(stream: TranscodingByteStream.wrap(stream, options.encoding), resume: resume, options: options)
    }
}
