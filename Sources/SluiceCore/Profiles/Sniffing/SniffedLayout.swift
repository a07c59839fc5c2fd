/// A date or timestamp layout of `YYYY`, `MM`, `DD`, `HH`, `mm` and `ss` with literal
/// separators, as profiles and column formats write them.
struct SniffedLayout: Equatable, CustomStringConvertible {
    static func == (a: SniffedLayout, b: SniffedLayout) -> Bool { a.text == b.text }

    let text: String
    private let layout: DateLayout

    init(_ text: String) {
        self.text = text
        layout = DateLayout(text)
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
        guard let day = text.firstIndex(of: "D"), let month = text.firstIndex(of: "M") else { return false }
        return day < month
    }

    /// The fields of `value` if it is a real date (and time) in this layout, read as the
    /// reader reads it.
    func read(_ value: [UInt8]) -> (year: Int, month: Int, day: Int)? {
        guard let p = value.withUnsafeBufferPointer(layout.parts) else { return nil }
        guard (1...12).contains(p.month), p.day >= 1, p.day <= Self.days(in: p.month, of: p.year),
              p.hour < 24, p.minute < 60, p.second < 61 else { return nil }
        return (p.year, p.month, p.day)
    }

    private static func days(in month: Int, of year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
