/// A date or timestamp layout of `YYYY`, `MM`, `DD`, `HH`, `mm` and `ss` with literal
/// separators, as profiles and column formats write them.
struct SniffedLayout: Equatable, CustomStringConvertible {
    let text: String
    private let bytes: [UInt8]

    init(_ text: String) {
        self.text = text
        bytes = Array(text.utf8)
    }

    var description: String { text }

    /// The date layouts the sniffer tries: each order of day, month and year with `.`, `/` or `-`.
    static let dates: [SniffedLayout] = [".", "/", "-"].flatMap { s in
        ["DD\(s)MM\(s)YYYY", "MM\(s)DD\(s)YYYY", "YYYY\(s)MM\(s)DD"].map(SniffedLayout.init)
    }

    /// Timestamp layouts: each date layout but ISO's (which Sluice reads anyway), then a time.
    static let timestamps: [SniffedLayout] = dates.filter { $0.text != iso.text }.flatMap { date in
        [" ", "T"].flatMap { gap in ["HH:mm:ss", "HH:mm"].map { SniffedLayout(date.text + gap + $0) } }
    }

    static let iso = SniffedLayout("YYYY-MM-DD")

    /// Whether the day comes before the month: of two layouts that read the same dates, the one
    /// picked (the order most suppliers outside the US write).
    var dayFirst: Bool {
        guard let day = bytes.firstIndex(of: UInt8(ascii: "D")), let month = bytes.firstIndex(of: UInt8(ascii: "M")) else { return false }
        return day < month
    }

    /// The fields of `value` if it is a real date (and time) in this layout.
    func read(_ value: [UInt8]) -> (year: Int, month: Int, day: Int)? {
        guard value.count == bytes.count else { return nil }
        var fields: [UInt8: Int] = [:]
        var i = 0
        while i < bytes.count {
            let token = bytes[i]
            let width = token == UInt8(ascii: "Y") ? 4 : 2
            if "YMDHms".utf8.contains(token), i + width <= bytes.count, bytes[i..<i + width].allSatisfy({ $0 == token }) {
                var number = 0
                for digit in value[i..<i + width] {
                    guard NumberShape.isDigit(digit) else { return nil }
                    number = number * 10 + Int(digit - 48)
                }
                fields[token] = number
                i += width
            } else {
                guard value[i] == token else { return nil }
                i += 1
            }
        }
        let (year, month, day) = (fields[UInt8(ascii: "Y")] ?? 0, fields[UInt8(ascii: "M")] ?? 0, fields[UInt8(ascii: "D")] ?? 0)
        guard (1...12).contains(month), day >= 1, day <= Self.days(in: month, of: year),
              fields[UInt8(ascii: "H")] ?? 0 < 24, fields[UInt8(ascii: "m")] ?? 0 < 60,
              fields[UInt8(ascii: "s")] ?? 0 < 61 else { return nil }
        return (year, month, day)
    }

    private static func days(in month: Int, of year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
