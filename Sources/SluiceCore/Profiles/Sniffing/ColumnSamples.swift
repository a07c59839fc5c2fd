/// The sampled values of each typed schema column the file has, trimmed, by column.
struct ColumnSamples {
    struct Column {
        var definition: ColumnDefinition
        /// Values with something in them, trimmed; null spellings left out.
        var values: [[UInt8]]
        /// Null spellings (`NULL`, `N/A`) seen, with how often.
        var nullSpellings: [String: Int]
        /// Values written with spaces or tabs around them.
        var padded: Int
    }

    var columns: [Column]

    init(records: ArraySlice<SampleRecord>, mapping: [SniffedMatch], schema: SchemaDefinition) {
        columns = mapping.compactMap { map in
            guard let definition = schema.columns.first(where: { $0.name == map.column }) else { return nil }
            var column = Column(definition: definition, values: [], nullSpellings: [:], padded: 0)
            for record in records where map.position < record.fields.count {
                let raw = record.fields[map.position]
                let value = FieldKind.trimmed(raw)
                guard !value.isEmpty else { continue }
                if value.count != raw.count { column.padded += 1 }
                let text = String(decoding: value, as: UTF8.self)
                if FieldKind.nullSpellings.contains(text) {
                    column.nullSpellings[text, default: 0] += 1
                } else {
                    column.values.append(value)
                }
            }
            return column
        }
    }

    func of(_ match: (ColumnType) -> Bool) -> [Column] { columns.filter { match($0.definition.type) } }
}

/// `null_values` and `trim`: what typed columns hold besides their values. Text columns are
/// left out, where `NA` or a leading space may be what the supplier meant.
enum NullAndTrimSniffer {
    static func sniff(_ samples: ColumnSamples) -> (nullValues: [String], trim: Bool, ambiguities: [String]) {
        let typed = samples.columns.filter { $0.definition.type != .string }
        var counts: [String: Int] = [:]
        for column in typed { counts.merge(column.nullSpellings, uniquingKeysWith: +) }
        let spellings = counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
        let padded = typed.filter { $0.padded > 0 }.map(\.definition.name)
        var ambiguities: [String] = []
        if !padded.isEmpty {
            ambiguities.append("values in \(padded.joined(separator: ", ")) have spaces around them; picked trim: true, "
                               + "which trims every column, text too")
        }
        return ([""] + spellings, !padded.isEmpty, ambiguities)
    }
}
