import SluiceCore

/// Bytes already in memory, read as a stream (fuzzing, and bodies fetched whole).
final class MemoryByteStream: ByteStream {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }

    func skip(to offset: Int64) throws {
        guard offset <= Int64(bytes.count) else { throw ReadError(.truncated, "stream ends before byte \(offset)") }
        position = Int(offset)
    }

    func close() {}
}
