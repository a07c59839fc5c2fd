import Foundation
import SluiceCore

/// Opens CSV files, plain or gzip, as record readers.
public struct CSVReaderFactory: RecordReaderFactory {
    public init() {}

    public func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) throws -> any RecordReader {
        let before = FileSnapshot(path: file.path)
        guard before == FileSnapshot(file) else {
            throw ReadError(before == nil ? .notFound : .changed, "the file changed or vanished since it was listed")
        }
        let raw: any ByteStream = file.isGzip ? try GzipByteStream(path: file.path, options: options)
                                              : try FileByteStream(path: file.path)
        let reader = try CSVRecordReader(stream: TranscodingByteStream.wrap(raw, options.encoding), resume: resume, options: options)
        reader.unchanged = {
            guard FileSnapshot(path: file.path) == before else {
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
