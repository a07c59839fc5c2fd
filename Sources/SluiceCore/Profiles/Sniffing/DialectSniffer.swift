/// Finds the delimiter, quote and escape: the candidate that splits most lines into the same
/// number of fields wins, quotes respected while counting.
struct DialectSniffer {
    static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
    static let quotes: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "'")]

    /// How well one delimiter and quote split the sample.
    struct Fit {
        var dialect: Dialect
        /// The most common field count.
        var fields: Int
        /// Records with that count.
        var consistent: Int
        var quotedFields: Int
    }

    let text: [UInt8]
    /// The schema's column count: of two equally consistent delimiters, the one whose field
    /// count is nearer to it is picked.
    let columnCount: Int

    func sniff() -> (Dialect, [String]) {
        var ambiguities: [String] = []
        let fits = Self.delimiters.map { bestQuote(for: $0).fit }
        let splitting = fits.filter { $0.fields > 1 }
        guard let best = splitting.max(by: { rank($0) < rank($1) }) else {
            return (Dialect(delimiter: UInt8(ascii: ","), quote: UInt8(ascii: "\""), escape: .doubled), [])
        }
        let rivals = splitting.filter { $0.dialect.delimiter != best.dialect.delimiter && $0.consistent == best.consistent }
        for rival in rivals {
            let why = abs(best.fields - columnCount) != abs(rival.fields - columnCount)
                ? "nearer the schema's \(columnCount) columns" : best.fields != rival.fields ? "more fields" : "listed first"
            ambiguities.append("\(Self.name(best.dialect.delimiter)) and \(Self.name(rival.dialect.delimiter)) both split "
                               + "\(best.consistent) records evenly (into \(best.fields) and \(rival.fields) fields); picked "
                               + "delimiter \(Self.name(best.dialect.delimiter)) (\(why))")
        }
        var dialect = best.dialect
        if let quotes = bestQuote(for: dialect.delimiter).ambiguity { ambiguities.append(quotes) }
        dialect.escape = escape(dialect, ambiguities: &ambiguities)
        return (dialect, ambiguities)
    }

    /// Consistency first, then nearness to the schema's width, then more fields.
    private func rank(_ fit: Fit) -> (Int, Int, Int) {
        (fit.consistent, -abs(fit.fields - columnCount), fit.fields)
    }

    /// The quote that splits the sample best with `delimiter`, and a sentence when both quote fields.
    private func bestQuote(for delimiter: UInt8) -> (fit: Fit, ambiguity: String?) {
        let fits = Self.quotes.map { fit(Dialect(delimiter: delimiter, quote: $0, escape: .doubled)) }
        let (double, single) = (fits[0], fits[1])
        if single.consistent != double.consistent { return (single.consistent > double.consistent ? single : double, nil) }
        let pick = single.quotedFields > double.quotedFields ? single : double
        guard single.quotedFields > 0, double.quotedFields > 0 else { return (pick, nil) }
        return (pick, "fields are quoted both with \" (\(double.quotedFields)) and with ' (\(single.quotedFields)); "
                      + "picked \(Self.name(pick.dialect.quote))")
    }

    private func fit(_ dialect: Dialect) -> Fit {
        let records = SampleRecords.split(text, dialect).records
        let counts = Dictionary(records.map { ($0.fields.count, 1) }, uniquingKeysWith: +)
        let (fields, consistent) = counts.max { ($0.value, $0.key) < ($1.value, $1.key) } ?? (1, 0)
        return Fit(dialect: dialect, fields: fields, consistent: consistent,
                   quotedFields: records.reduce(0) { $0 + $1.quotedFields })
    }

    /// `\"` inside a field is a backslash escape; `""` inside one is a doubled quote (the default).
    private func escape(_ dialect: Dialect, ambiguities: inout [String]) -> QuoteEscape {
        let (q, backslash) = (dialect.quote, UInt8(ascii: "\\"))
        let ends: Set<UInt8> = [dialect.delimiter, UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        var backslashed = 0, doubled = 0
        for i in text.indices.dropLast() where text[i + 1] == q {
            let after = i + 2 < text.count ? text[i + 2] : UInt8(ascii: "\n")
            // A quote that closes its field is not escaped, whatever stands before it.
            guard !ends.contains(after) else { continue }
            let before = i > 0 ? text[i - 1] : UInt8(ascii: "\n")
            if text[i] == backslash { backslashed += 1 }
            if text[i] == q, !ends.contains(before) { doubled += 1 }
        }
        guard backslashed > 0 else { return .doubled }
        guard doubled > 0 else { return .backslash }
        let pick: QuoteEscape = backslashed > doubled ? .backslash : .doubled
        ambiguities.append("quotes inside fields are escaped both as \\\(Character(Unicode.Scalar(q))) (\(backslashed)) and doubled "
                           + "(\(doubled)); picked escape: \(pick.rawValue)")
        return pick
    }

    /// A byte as a sentence names it.
    static func name(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\t"): "tab"
        case UInt8(ascii: " "): "space"
        default: "'\(Character(Unicode.Scalar(byte)))'"
        }
    }
}
