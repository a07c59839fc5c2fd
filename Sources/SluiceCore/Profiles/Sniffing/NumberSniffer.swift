/// The decimal and thousands separators, from the integer and decimal columns' values.
enum NumberSniffer {
    static func sniff(_ samples: ColumnSamples) -> (NumberFormat, [String]) {
        var decimals: [UInt8: Int] = [:], groups: [UInt8: Int] = [:]
        // `1,234` where it could be either: the value and its column, by separator.
        var open: [UInt8: (value: String, column: String)] = [:]
        for column in samples.of({ if case .integer = $0 { true } else if case .decimal = $0 { true } else { false } }) {
            let scale: Int? = if case .decimal(_, let s) = column.definition.type { s } else { nil }
            for value in column.values {
                switch NumberShape(value) {
                case .silent: break
                case .decimal(let mark, let thousands):
                    // An integer column's fraction is a bad value, not a way of writing numbers.
                    guard scale != nil else { break }
                    decimals[mark, default: 0] += 1
                    if let thousands { groups[thousands, default: 0] += 1 }
                case .thousands(let mark):
                    groups[mark, default: 0] += 1
                case .either(let mark):
                    // Three decimal places fit only a scale of three or more.
                    if let scale, scale >= 3 {
                        if open[mark] == nil { open[mark] = (String(decoding: value, as: UTF8.self), column.definition.name) }
                    } else {
                        groups[mark, default: 0] += 1
                    }
                }
            }
        }
        var ambiguities: [String] = []
        var format = NumberFormat()
        if let decimal = pick(decimals, what: "decimal separator", ambiguities: &ambiguities) { format.decimal = decimal }
        format.thousands = pick(groups.filter { $0.key != format.decimal }, what: "thousands separator", ambiguities: &ambiguities)
        for (mark, example) in open.sorted(by: { $0.key < $1.key }) where mark != format.thousands {
            if decimals[mark] != nil { continue }
            if decimals.isEmpty == false {
                // The decimal separator is another: this one groups thousands.
                format.thousands = format.thousands ?? mark
                continue
            }
            format.decimal = mark
            let name = DialectSniffer.name(mark)
            ambiguities.append("'\(example.value)' in \(example.column) could be a thousands group or a decimal \(name), "
                               + "and no value tells them apart; picked decimal \(name)")
        }
        // Both cannot be the same; a file that groups with '.' writes its decimals with ','.
        if format.thousands == format.decimal {
            format.decimal = format.decimal == UInt8(ascii: ".") ? UInt8(ascii: ",") : UInt8(ascii: ".")
        }
        return (format, ambiguities)
    }

    private static func pick(_ votes: [UInt8: Int], what: String, ambiguities: inout [String]) -> UInt8? {
        let ranked = votes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        guard let best = ranked.first else { return nil }
        if ranked.count > 1 {
            let list = ranked.map { "\(DialectSniffer.name($0.key)) (\($0.value))" }.joined(separator: " and ")
            ambiguities.append("values use \(list) as the \(what); picked \(DialectSniffer.name(best.key))")
        }
        return best.key
    }
}
