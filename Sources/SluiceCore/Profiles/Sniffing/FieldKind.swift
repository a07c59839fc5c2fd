/// What a field looks like, whatever the profile: enough to tell a header from data and to
/// check that a guessed column holds the kind of value its type needs.
enum FieldKind: Equatable {
    case empty
    case number
    case date
    case timestamp
    case text

    /// Spellings of "no value" suppliers use; a typed column holding one needs it in `null_values`.
    static let nullSpellings: Set<String> = ["NULL", "null", "Null", "N/A", "n/a", "NA", "#N/A", "\\N", "nil", "None", "none", "-"]

    init(_ raw: [UInt8]) {
        let text = Self.trimmed(raw)
        if text.isEmpty || Self.nullSpellings.contains(String(decoding: text, as: UTF8.self)) {
            self = .empty
        } else if NumberShape.looksNumeric(text) {
            self = .number
        } else if text.withUnsafeBufferPointer(ByteParsers.isTimestamp) || SniffedLayout.timestamps.contains(where: { $0.read(text) != nil }) {
            self = .timestamp
        } else if SniffedLayout.dates.contains(where: { $0.read(text) != nil }) {
            self = .date
        } else {
            self = .text
        }
    }

    /// Whether a column of `type` can hold a value of this kind.
    func fits(_ type: ColumnType) -> Bool {
        switch (self, type) {
        case (.empty, _), (_, .string): true
        case (.number, .integer), (.number, .decimal), (.number, .boolean): true
        case (.date, .date), (.timestamp, .timestamp): true
        case (.text, .boolean): true
        default: false
        }
    }

    /// Spaces and tabs taken off both ends.
    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let start = bytes.firstIndex(where: { !blank($0) }), let end = bytes.lastIndex(where: { !blank($0) }) else { return [] }
        return Array(bytes[start...end])
    }
}

/// The kind most of a column's values are, from the records after the first.
struct ColumnKinds {
    /// Per field position: the kind of most non-empty values, nil when all are empty.
    let kinds: [FieldKind?]

    init(_ records: ArraySlice<SampleRecord>) {
        let width = records.map(\.fields.count).max() ?? 0
        kinds = (0..<width).map { position in
            let seen = records.compactMap { $0.fields.count > position ? FieldKind($0.fields[position]) : nil }.filter { $0 != .empty }
            let counts = Dictionary(seen.map { ($0, 1) }, uniquingKeysWith: +)
            guard let (kind, count) = counts.max(by: { $0.value < $1.value }) else { return nil }
            // A column of numbers with a stray word is still numbers; an even mix is text.
            return count * 5 >= seen.count * 4 ? kind : .text
        }
    }

    subscript(position: Int) -> FieldKind? { position < kinds.count ? kinds[position] : nil }
}
