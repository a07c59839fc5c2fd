import Foundation

/// A date or timestamp layout such as `DD.MM.YYYY` or `DD.MM.YYYY HH:mm:ss`, read on bytes:
/// `YYYY`, `MM`, `DD`, `HH`, `mm` and `ss` are digits, anything else must appear as written.
struct DateLayout: Sendable {
    private let pattern: [UInt8]

    init(_ text: String) { pattern = Array(text.utf8) }

    /// What is wrong with `text` as a layout, or nil.
    static func problem(in text: String, timestamp: Bool) -> String? {
        let tokens = timestamp ? ["YYYY", "MM", "DD", "HH", "mm"] : ["YYYY", "MM", "DD"]
        let counts = tokens.map { text.components(separatedBy: $0).count - 1 }
        let letters = text.filter { "YMDHms".contains($0) }.count
        let seconds = text.components(separatedBy: "ss").count - 1
        let expected = (timestamp ? 12 : 8) + (timestamp ? 2 * seconds : 0)
        guard counts.allSatisfy({ $0 == 1 }), seconds <= (timestamp ? 1 : 0), letters == expected else {
            return timestamp ? "a timestamp format has YYYY, MM, DD, HH and mm once each (ss optional), with fixed separators, e.g. DD.MM.YYYY HH:mm:ss"
                             : "a date format has YYYY, MM and DD once each, with fixed separators, e.g. DD.MM.YYYY"
        }
        return nil
    }

    /// The parts of `b`, when it is written in this layout (ranges are not checked here).
    func parts(_ b: UnsafeBufferPointer<UInt8>) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        guard b.count == pattern.count else { return nil }
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        for (byte, token) in zip(b, pattern) {
            let digit = Int(byte &- 48)
            switch token {
            case UInt8(ascii: "Y"), UInt8(ascii: "M"), UInt8(ascii: "D"), UInt8(ascii: "H"), UInt8(ascii: "m"), UInt8(ascii: "s"):
                guard digit < 10 else { return nil }
                switch token {
                case UInt8(ascii: "Y"): year = year * 10 + digit
                case UInt8(ascii: "M"): month = month * 10 + digit
                case UInt8(ascii: "D"): day = day * 10 + digit
                case UInt8(ascii: "H"): hour = hour * 10 + digit
                case UInt8(ascii: "m"): minute = minute * 10 + digit
                default: second = second * 10 + digit
                }
            default:
                if byte != token { return nil }
            }
        }
        return (year, month, day, hour, minute, second)
    }
}
