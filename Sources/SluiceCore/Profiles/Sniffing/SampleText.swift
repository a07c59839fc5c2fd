/// The start of a file as UTF-8 text, with the encoding it was found in: every other part of
/// the sniffer reads UTF-8 bytes, whatever the file's encoding.
struct SampleText {
    /// At most this many bytes of the file are looked at...
    static let maxBytes = 64 * 1024
    /// ...and at most this many lines of it.
    static let maxLines = 200

    var encoding: TextEncoding
    /// Whole lines only: a line cut by the byte limit is left out.
    var utf8: [UInt8]
    /// Whether the file goes on past the sample.
    var truncated: Bool
    var ambiguities: [String] = []

    init(_ bytes: [UInt8]) {
        truncated = bytes.count > Self.maxBytes
        var head = Array(bytes.prefix(Self.maxBytes))
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        if let littleEndian = Self.utf16Order(head) {
            encoding = .utf16
            utf8 = Self.fromUTF16(head, littleEndian: littleEndian)
        } else {
            let text = truncated ? Self.wholeLines(head) : head
            if text.withUnsafeBufferPointer({ ByteParsers.firstInvalidTextByte($0) }) == nil {
                encoding = .utf8
                utf8 = text
            } else {
                encoding = .latin1
                utf8 = Array(String(String.UnicodeScalarView(text.map { Unicode.Scalar($0) })).utf8)
                // Windows-1252 puts printable characters (€, curly quotes) where Latin-1 has C1 controls.
                if text.contains(where: { (0x80...0x9F).contains($0) }) {
                    ambiguities.append("the file is not valid UTF-8 and has bytes 0x80-0x9F, control characters in Latin-1: "
                                       + "it may be Windows-1252, which Sluice does not read; picked latin1")
                }
            }
        }
        utf8 = Self.firstLines(truncated ? Self.wholeLines(utf8) : utf8)
    }

    /// UTF-16 by its byte-order mark, or by a first line whose every other byte is NUL
    /// (little-endian, as Sluice reads UTF-16 without a mark). Nil for any other text.
    private static func utf16Order(_ head: [UInt8]) -> Bool? {
        if head.starts(with: [0xFF, 0xFE]) { return true }
        if head.starts(with: [0xFE, 0xFF]) { return false }
        let probe = head.prefix(200)
        guard probe.count >= 4 else { return nil }
        let odd = stride(from: 1, to: probe.count, by: 2).filter { probe[$0] == 0 }.count
        let even = stride(from: 0, to: probe.count, by: 2).filter { probe[$0] == 0 }.count
        return odd * 10 >= probe.count / 2 * 9 && even == 0 ? true : nil
    }

    private static func fromUTF16(_ head: [UInt8], littleEndian: Bool) -> [UInt8] {
        var body = head
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) { body.removeFirst(2) }
        let units = stride(from: 0, to: body.count - 1, by: 2).map { i in
            littleEndian ? UInt16(body[i]) | UInt16(body[i + 1]) << 8 : UInt16(body[i]) << 8 | UInt16(body[i + 1])
        }
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    /// Up to the last line end: the line the byte limit cut is not a record.
    private static func wholeLines(_ bytes: [UInt8]) -> [UInt8] {
        guard let end = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return bytes }
        return Array(bytes[...end])
    }

    private static func firstLines(_ bytes: [UInt8]) -> [UInt8] {
        var lines = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            lines += 1
            if lines == maxLines { return Array(bytes[...index]) }
        }
        return bytes
    }
}
