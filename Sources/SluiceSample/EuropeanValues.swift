/// Numbers and dates as the `eu-semicolon` supplier writes them.
enum EuropeanValues {
    /// `1234.50` as `1.234,50`, `999.99` as `999,99`. A malformed price stays malformed in the
    /// same way: `12.3.5` becomes `12,3,5`. Undoing it (drop `.`, then `,` to `.`) gives the input.
    static func decimal(_ text: String) -> String {
        var parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[0] = grouped(parts[0])
        return parts.joined(separator: ",")
    }

    /// `YYYY-MM-DD` as `DD.MM.YYYY`; an impossible day such as `2026-05-33` stays impossible.
    static func date(_ text: String) -> String {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return text }
        return "\(parts[2]).\(parts[1]).\(parts[0])"
    }

    /// Digits in threes from the right, joined by `.`; a leading `-` is kept.
    private static func grouped(_ integer: String) -> String {
        let negative = integer.hasPrefix("-")
        var digits = Array(negative ? integer.dropFirst() : Substring(integer))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(String(digits), at: 0)
        return (negative ? "-" : "") + groups.joined(separator: ".")
    }
}
