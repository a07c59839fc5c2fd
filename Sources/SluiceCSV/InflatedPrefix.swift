import SluiceCore

extension CSVReaderFactory {
    /// The first `count` bytes of a file as the reader sees them: inflated when `gzip`, for
    /// guessing its profile without reading it all.
    /// - Throws: `ReadError` for a corrupt gzip stream or one past `options`' inflate bounds.
    public func prefix(of bytes: [UInt8], gzip: Bool, count: Int, options: ReaderOptions = ReaderOptions()) throws -> [UInt8] {
        guard gzip else { return Array(bytes.prefix(count)) }
        let stream = try GzipByteStream(source: MemoryByteStream(bytes), options: options)
        defer { stream.close() }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while result.count < count {
            let read = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
            if read == 0 { break }
            result += chunk[..<min(read, count - result.count)]
        }
        return result
    }
}
