import Foundation
import SluiceCore

/// Opens CSV files, plain or gzip, as record readers.
public struct CSVReaderFactory: RecordReaderFactory {
    public init() {}

    public func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) throws -> any RecordReader {
        let raw: any ByteStream = file.isGzip ? try GzipByteStream(path: file.path, options: options)
                                              : try FileByteStream(path: file.path)
        return try CSVRecordReader(stream: TranscodingByteStream.wrap(raw, options.encoding), resume: resume, options: options)
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
