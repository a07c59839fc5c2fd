import CZlib
import SluiceCore

/// Inflates a gzip file as it is read: every member in turn, each trailer's CRC-32 and length
/// checked by zlib, and anything after the last member that is not another member is an error.
final class GzipByteStream: ByteStream {
    private let file: any ByteStream
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var memberEnded = false
    private var finished = false
    private var initialized = false
    /// Compressed bytes consumed before the current input buffer.
    private var consumedBefore: Int64 = 0
    private var inputFilled = 0
    /// Inflated bytes produced so far.
    private(set) var inflatedOffset: Int64 = 0
    /// Inflated bytes handed out so far: behind `inflatedOffset` while the probed head is read.
    private var deliveredOffset: Int64 = 0
    private let maxInflatedBytes: Int64
    private let maxRatio: Double
    /// The start of the file, inflated before any of it is handed out: a bomb is refused before
    /// its first rows can reach the store. Freed once read.
    private var head: UnsafeMutableRawBufferPointer?
    private var headStart = 0
    private var headEnd = 0
    private var probed = false
    /// A corrupt or truncated stream found while probing: thrown once the good bytes before it are read.
    private var headError: (any Error)?
    /// Inflated bytes from which the ratio is checked: below, a small repetitive file may
    /// legitimately compress far better than a large one.
    static let ratioCheckFrom: Int64 = 1 << 20

    /// - Throws: `ReadError` when the file cannot be opened.
    convenience init(path: String, options: ReaderOptions = ReaderOptions(), inputBufferSize: Int = 256 * 1024) throws {
        try self.init(source: try FileByteStream(path: path), options: options, inputBufferSize: inputBufferSize)
    }

    /// Inflates the bytes `source` delivers.
    /// - Throws: `ReadError` when zlib cannot start.
    init(source: any ByteStream, options: ReaderOptions = ReaderOptions(), inputBufferSize: Int = 256 * 1024) throws {
        file = source
        maxInflatedBytes = options.maxInflatedBytes
        maxRatio = options.maxCompressionRatio
        input = .allocate(byteCount: inputBufferSize, alignment: 16)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: a gzip wrapper (not zlib or raw deflate) with the largest window.
        guard inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ReadError(.io, "zlib could not start")
        }
        initialized = true
    }

    deinit {
        close()
        head?.deallocate()
        input.deallocate()
        stream.deallocate()
    }

    private var compressedOffset: Int64 { consumedBefore + Int64(inputFilled - Int(stream.pointee.avail_in)) }

    var arriving: (any ArrivingBytes)? { file.arriving }

    /// Bytes inflated in the same call as a failure are dropped with it: a bit flip can look
    /// like a truncation, and zlib cannot say which of those last bytes were good.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try readMore(into: buffer)
        deliveredOffset += Int64(count)
        return count
    }

    private func readMore(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if !probed { try probe() }
        if let head {
            let count = min(buffer.count, headEnd - headStart)
            buffer.baseAddress!.copyMemory(from: head.baseAddress! + headStart, byteCount: count)
            headStart += count
            if headStart == headEnd {
                head.deallocate()
                self.head = nil
            }
            return count
        }
        if let headError { throw headError }
        guard !finished else { return 0 }
        return try inflateMore(into: buffer)
    }

    /// Inflates the first `ratioCheckFrom` bytes (or the whole of a smaller file) and checks them.
    private func probe() throws {
        probed = true
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(Self.ratioCheckFrom), alignment: 16)
        var filled = 0
        do {
            // In reads of a reader's block, so a failure drops no more good bytes than it did unprobed.
            while filled < buffer.count && !finished {
                let end = min(filled + 256 * 1024, buffer.count)
                filled += try inflateMore(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<end]))
            }
        } catch let error as ReadError where error.kind != .tooLarge && filled > 0 {
            headError = error
        } catch {
            buffer.deallocate()
            throw error
        }
        if filled == 0 {
            buffer.deallocate()
            return
        }
        head = buffer
        headEnd = filled
    }

    private func inflateMore(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(buffer.count)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !inputEnded {
                // Over a download, what is inflated goes back now: another refill could wait on the network.
                if file.arriving != nil && stream.pointee.avail_out < UInt32(buffer.count) { break }
                try refill()
            }
            if memberEnded {
                if stream.pointee.avail_in < 2 && !inputEnded { try refill() }
                if stream.pointee.avail_in == 0 {
                    finished = true
                    break
                }
                let next = stream.pointee.next_in!
                guard stream.pointee.avail_in >= 2, next[0] == 0x1F, next[1] == 0x8B else {
                    throw ReadError(.corruptGzip, "trailing garbage after the last gzip member at compressed byte \(compressedOffset)")
                }
                inflateReset(stream)
                memberEnded = false
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && inputEnded:
                throw ReadError(.truncated, "gzip data ends early at compressed byte \(compressedOffset) (inflated byte \(inflatedOffset + Int64(buffer.count) - Int64(stream.pointee.avail_out)))")
            case Z_BUF_ERROR:
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw ReadError(.corruptGzip, "\(message) at compressed byte \(compressedOffset)")
            }
        }
        let produced = buffer.count - Int(stream.pointee.avail_out)
        inflatedOffset += Int64(produced)
        try checkBomb()
        return produced
    }

    /// Stops a decompression bomb: too many inflated bytes, or too many per compressed byte.
    private func checkBomb() throws {
        if inflatedOffset > maxInflatedBytes {
            throw ReadError(.tooLarge, "gzip inflates past max_inflated_bytes (\(maxInflatedBytes)) at compressed byte \(compressedOffset)")
        }
        let compressed = max(compressedOffset, 1)
        if inflatedOffset >= Self.ratioCheckFrom, Double(inflatedOffset) / Double(compressed) > maxRatio {
            throw ReadError(.tooLarge, "gzip inflates \(inflatedOffset) bytes from \(compressed) (more than max_compression_ratio \(Int(maxRatio)):1): a decompression bomb?")
        }
    }

    func skip(to offset: Int64) throws {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        while deliveredOffset < offset {
            let want = Int(min(Int64(scratch.count), offset - deliveredOffset))
            if try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<want])) == 0 {
                throw ReadError(.truncated, "gzip stream ends at inflated byte \(deliveredOffset), before the checkpoint at \(offset)")
            }
        }
    }

    /// Keeps unconsumed input at the front of the buffer and reads more after it.
    private func refill() throws {
        let remaining = Int(stream.pointee.avail_in)
        consumedBefore += Int64(inputFilled - remaining)
        if remaining > 0, let next = stream.pointee.next_in {
            input.baseAddress!.copyMemory(from: next, byteCount: remaining)
        }
        let count = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[remaining...]))
        if count == 0 { inputEnded = true }
        inputFilled = remaining + count
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(inputFilled)
    }

    func close() {
        if initialized { inflateEnd(stream) }
        initialized = false
        file.close()
    }
}
