/// Guesses a supplier profile from the start of a file: encoding, dialect, header and its
/// mapping onto the schema, number and date formats, null spellings. Pure: bytes in, guess out.
///
/// Only the first 64 KiB and 200 lines are read. What the sample cannot settle (day and month
/// all 12 or less, two delimiters that fit alike) is picked and said in `ambiguities`.
public enum ProfileSniffer {
    public static func sniff(_ bytes: [UInt8], schema: SchemaDefinition) -> ProfileGuess {
        var profile = SupplierProfile()
        let text = SampleText(bytes)
        profile.encoding = text.encoding
        var ambiguities = text.ambiguities

        let (dialect, dialectDoubts) = DialectSniffer(text: text.utf8, columnCount: schema.columns.count).sniff()
        ambiguities += dialectDoubts
        (profile.delimiter, profile.quote, profile.escape) = (dialect.delimiter, dialect.quote, dialect.escape)
        var (records, unterminated) = SampleRecords.split(text.utf8, dialect)
        if unterminated {
            if text.truncated {
                // The sample ends inside a quoted field that goes on past it.
                records.removeLast()
            } else {
                ambiguities.append("a quoted field opened on line \(records.last?.line ?? 1) is never closed")
            }
        }

        let header = HeaderSniffer(records: records, schema: schema).sniff()
        ambiguities += header.ambiguities
        profile.header = header.present ? .present : .absent
        profile.columns = header.columns
        if header.mapping.contains(where: { $0.match == .normalized }) { profile.headerMatch = .normalized }
        for map in header.mapping where map.match == .similar { profile.aliases[map.column, default: []].append(map.header) }

        let samples = ColumnSamples(records: records.dropFirst(header.present ? 1 : 0), mapping: header.mapping, schema: schema)
        let (numbers, numberDoubts) = NumberSniffer.sniff(samples)
        let (dateFormat, dateDoubts) = DateSniffer.dateFormat(samples)
        let (timestampFormat, timestampDoubts) = DateSniffer.timestampFormat(samples)
        let (nullValues, trim, hygieneDoubts) = NullAndTrimSniffer.sniff(samples)
        (profile.numbers, profile.dateFormat, profile.timestampFormat) = (numbers, dateFormat, timestampFormat)
        (profile.nullValues, profile.trim) = (nullValues, trim)
        ambiguities += numberDoubts + dateDoubts + timestampDoubts + hygieneDoubts

        let found = Set(header.mapping.map(\.column))
        let missing = schema.columns.filter { !found.contains($0.name) }
        return ProfileGuess(profile: profile, header: header.header, mapping: header.mapping, unmappedHeaders: header.unmapped,
                            missingColumns: missing.map(\.name), missingRequiredColumns: missing.filter(\.required).map(\.name),
                            ambiguities: ambiguities, sampledRecords: records.count)
    }
}
