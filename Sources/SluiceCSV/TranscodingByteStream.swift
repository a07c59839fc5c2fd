import SluiceCore

/// Converts Latin-1 or UTF-16 to UTF-8 as it is read, so everything after it sees UTF-8.
/// Offsets (and so checkpoints) count the converted bytes; resuming converts again from the start.
final class TranscodingByteStream: ByteStream {
    private let source: any ByteStream
    private let encoding: TextEncoding
    private var input: [UInt8] = []
    private var inputStart = 0
    private var output: [UInt8] = []
    private var outputStart = 0
    private var produced: Int64 = 0
    private var sourceEnded = false
    private var bigEndian = false
    private var sawStart = false

    static func wrap(_ stream: any ByteStream, _ encoding: TextEncoding) -> any ByteStream {
        encoding == .utf8 ? stream : TranscodingByteStream(stream, encoding)
    }

    init(_ source: any ByteStream, _ encoding: TextEncoding) {
        self.source = source
        self.encoding = encoding
    }

    var arriving: (any ArrivingBytes)? { source.arriving }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while output.count - outputStart == 0 {
            guard try convertMore() else { return 0 }
        }
        let count = min(buffer.count, output.count - outputStart)
        output.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + outputStart, byteCount: count) }
        outputStart += count
        produced += Int64(count)
        return count
    }

    func skip(to offset: Int64) throws {
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        while produced < offset {
            let want = Int(min(Int64(scratch.count), offset - produced))
            let got = try scratch.withUnsafeMutableBytes { try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if got == 0 { throw ReadError(.truncated, "the file ends before the checkpoint at byte \(offset)") }
        }
    }

    func close() { source.close() }

    /// Reads a block from the source and converts it; false at the end.
    private func convertMore() throws -> Bool {
        output.removeAll(keepingCapacity: true)
        outputStart = 0
        if !sourceEnded {
            var block = [UInt8](repeating: 0, count: 64 * 1024)
            let count = try block.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { sourceEnded = true }
            input.removeSubrange(0..<inputStart)
            inputStart = 0
            input += block[0..<count]
        }
        switch encoding {
        case .utf8:
            output = Array(input[inputStart...])
            inputStart = input.count
        case .latin1:
            for byte in input[inputStart...] {
                if byte < 0x80 { output.append(byte) } else { output += [0xC0 | byte >> 6, 0x80 | byte & 0x3F] }
            }
            inputStart = input.count
        case .utf16:
            try convertUTF16()
        }
        return !(output.isEmpty && sourceEnded && inputStart == input.count)
    }

    private func convertUTF16() throws {
        if !sawStart, input.count - inputStart >= 2 {
            sawStart = true
            if input[inputStart] == 0xFE && input[inputStart + 1] == 0xFF { bigEndian = true; inputStart += 2 }
            else if input[inputStart] == 0xFF && input[inputStart + 1] == 0xFE { inputStart += 2 }
        }
        func unit(_ at: Int) -> UInt32 {
            bigEndian ? UInt32(input[at]) << 8 | UInt32(input[at + 1]) : UInt32(input[at + 1]) << 8 | UInt32(input[at])
        }
        while input.count - inputStart >= 2 {
            let first = unit(inputStart)
            var scalar = first
            var width = 2
            if (0xD800...0xDBFF).contains(first) {
                guard input.count - inputStart >= 4 else { break }
                let second = unit(inputStart + 2)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw ReadError(.encoding, "invalid UTF-16: an unpaired surrogate at converted byte \(produced + Int64(output.count))")
                }
                scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                width = 4
            } else if (0xDC00...0xDFFF).contains(first) {
                throw ReadError(.encoding, "invalid UTF-16: an unpaired surrogate at converted byte \(produced + Int64(output.count))")
            }
            output += Array(String(Character(Unicode.Scalar(scalar)!)).utf8)
            inputStart += width
        }
        if sourceEnded && input.count > inputStart {
            throw ReadError(.encoding, "invalid UTF-16: the file ends in the middle of a character")
        }
    }
}
