/// What one number's separators say about how the supplier writes numbers.
enum NumberShape: Equatable {
    /// Digits only, or not a number at all: says nothing.
    case silent
    /// `12,5` or `1.234,50`: the decimal separator, and the thousands separator when one shows.
    case decimal(UInt8, thousands: UInt8?)
    /// `1.234.567` or `1 234`: grouping only.
    case thousands(UInt8)
    /// `1,234`: one separator before exactly three digits, a group or a fraction.
    case either(UInt8)

    static let separators: Set<UInt8> = [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "'")]

    /// The shape of `text` (already trimmed): an optional sign, then digits and separators.
    init(_ text: [UInt8]) {
        var body = text[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { body = body.dropFirst() }
        let marks = body.indices.filter { !Self.isDigit(body[$0]) }
        guard !body.isEmpty, marks.allSatisfy({ Self.separators.contains(body[$0]) }), !marks.isEmpty,
              let last = marks.last, last != body.endIndex - 1 else { self = .silent; return }
        let kinds = Set(marks.map { body[$0] })
        let lastMark = body[last]
        switch kinds.count {
        case 1 where marks.count > 1:
            self = Self.grouped(body, upTo: body.endIndex, by: lastMark) ? .thousands(lastMark) : .silent
        case 1:
            let after = body.endIndex - last - 1, before = last - body.startIndex
            let groupOnly = lastMark == UInt8(ascii: " ") || lastMark == UInt8(ascii: "'")
            if after == 3, before >= 1, before <= 3, body.first != UInt8(ascii: "0") {
                self = groupOnly ? .thousands(lastMark) : .either(lastMark)
            } else {
                self = groupOnly ? .silent : .decimal(lastMark, thousands: nil)
            }
        case 2:
            // The last separator is the decimal one: once, after every group separator.
            let group = kinds.subtracting([lastMark]).first!
            let groupOnly = lastMark == UInt8(ascii: " ") || lastMark == UInt8(ascii: "'")
            guard !groupOnly, marks.filter({ body[$0] == lastMark }).count == 1,
                  Self.grouped(body, upTo: last, by: group) else { self = .silent; return }
            self = .decimal(lastMark, thousands: group)
        default:
            self = .silent
        }
    }

    /// Whether the digits before `end` are groups of three after a first group of one to three.
    private static func grouped(_ body: ArraySlice<UInt8>, upTo end: Int, by separator: UInt8) -> Bool {
        let groups = body[body.startIndex..<end].split(separator: separator, omittingEmptySubsequences: false)
        guard let first = groups.first, (1...3).contains(first.count), first.allSatisfy(isDigit) else { return false }
        return groups.dropFirst().allSatisfy { $0.count == 3 && $0.allSatisfy(isDigit) }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    /// Whether `text` reads as a number in some way of writing numbers: for telling data from a header.
    static func looksNumeric(_ text: [UInt8]) -> Bool {
        var body = text[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { body = body.dropFirst() }
        return body.first.map(isDigit) == true && body.last.map(isDigit) == true
            && body.allSatisfy { isDigit($0) || separators.contains($0) }
    }
}
