/// Decides whether the first record is a header and maps the file's columns onto the schema.
struct HeaderSniffer {
    let records: [SampleRecord]
    let schema: SchemaDefinition

    struct Result {
        var present: Bool
        var header: [String]?
        var mapping: [SniffedMatch]
        var unmapped: [String]
        /// For a headerless file whose fields are not in schema order: the columns in file order.
        var columns: [String]?
        var ambiguities: [String]
    }

    func sniff() -> Result {
        guard let first = records.first else {
            return Result(present: true, header: nil, mapping: [], unmapped: [], columns: nil, ambiguities: [])
        }
        let names = first.fields.map { String(decoding: FieldKind.trimmed($0), as: UTF8.self) }
        let (present, ambiguities) = presence(names, first)
        var result = present ? mapHeader(names) : mapPositions(width: first.fields.count)
        result.ambiguities = ambiguities + result.ambiguities
        return result
    }

    /// A header names columns, or holds words where the rows below hold numbers and dates;
    /// a data row is typed like the rows below it.
    private func presence(_ names: [String], _ first: SampleRecord) -> (Bool, [String]) {
        let body = ColumnKinds(records.dropFirst())
        // A spelling-only match counts as a name only without digits in it: `SKU0000001` is data.
        let named = names.filter { name in
            schema.columns.contains { column in
                guard let match = NameMatch.match(name, column.name) else { return false }
                return match.kind != .similar || !name.contains(where: \.isNumber)
            }
        }.count
        var headerLike = 0, dataLike = 0
        for (position, field) in first.fields.enumerated() {
            guard let below = body[position], below != .text else { continue }
            let kind = FieldKind(field)
            if kind == below { dataLike += 1 } else if kind == .text { headerLike += 1 }
        }
        if named > 0, named >= dataLike {
            return (true, dataLike > 0 ? ["the first record names \(named) schema columns but \(dataLike) of its fields are typed "
                                          + "like the data below; picked header: present"] : [])
        }
        if dataLike > headerLike, dataLike > 0 {
            let note = named > 0 || headerLike > 0
                ? ["the first record is typed like the data in \(dataLike) fields, yet \(max(named, headerLike)) look like names; picked header: absent"]
                : []
            return (false, note)
        }
        if headerLike > 0 { return (true, []) }
        if records.count > 1 {
            return (true, ["the first record names no schema column and every column holds text, so it cannot be told "
                           + "from data; picked header: present"])
        }
        return (true, [])
    }

    /// Each header name to the column it matches best, best matches first; each column once.
    private func mapHeader(_ names: [String]) -> Result {
        let body = ColumnKinds(records.dropFirst())
        var candidates: [(position: Int, column: ColumnDefinition, kind: HeaderMatchKind, cost: Int)] = []
        for (position, name) in names.enumerated() {
            for column in schema.columns {
                guard let (kind, cost) = NameMatch.match(name, column.name) else { continue }
                // A guess from spelling alone must at least hold the column's kind of values.
                if kind == .similar, let values = body[position], !values.fits(column.type) { continue }
                candidates.append((position, column, kind, cost))
            }
        }
        let rank: [HeaderMatchKind: Int] = [.exact: 0, .normalized: 1, .similar: 2]
        candidates.sort { (rank[$0.kind]!, $0.cost, $0.position) < (rank[$1.kind]!, $1.cost, $1.position) }
        var byPosition: [Int: SniffedMatch] = [:]
        var ambiguities: [String] = []
        for candidate in candidates where byPosition[candidate.position] == nil
            && !byPosition.values.contains(where: { $0.column == candidate.column.name }) {
            let name = names[candidate.position]
            byPosition[candidate.position] = SniffedMatch(header: name, position: candidate.position,
                                                           column: candidate.column.name, match: candidate.kind)
            guard candidate.kind == .similar else { continue }
            let taken = Set(byPosition.values.map(\.column))
            let others = candidates.filter { other in
                other.position == candidate.position && other.kind == .similar && !taken.contains(other.column.name)
            }.map(\.column.name)
            ambiguities.append("header '\(name)' is not a column name; picked column \(candidate.column.name) (an alias)"
                               + (others.isEmpty ? "" : ", though it could also be \(others.joined(separator: " or "))"))
        }
        let mapping = byPosition.values.sorted { $0.position < $1.position }
        let unmapped = names.indices.filter { byPosition[$0] == nil }.map { names[$0] }
        return Result(present: true, header: names, mapping: mapping, unmapped: unmapped, columns: nil, ambiguities: ambiguities)
    }

    /// No header: fields are the schema's columns in order, checked against what they hold.
    private func mapPositions(width: Int) -> Result {
        let body = ColumnKinds(records[...])
        let columns = schema.columns
        let mapped = min(width, columns.count)
        let mapping = (0..<mapped).map { SniffedMatch(header: "field \($0 + 1)", position: $0, column: columns[$0].name, match: .position) }
        var ambiguities: [String] = []
        let misfits = (0..<mapped).filter { position in body[position].map { !$0.fits(columns[position].type) } ?? false }
        if !misfits.isEmpty {
            let list = misfits.map { "field \($0 + 1) holds \(Self.describe(body[$0]!)) but column \(columns[$0].name) is \(columns[$0].type)" }
            ambiguities.append("without a header, fields are taken in schema order, yet \(list.joined(separator: "; ")): "
                               + "list the columns in file order under columns:")
        }
        let unmapped = (mapped..<max(width, mapped)).map { "field \($0 + 1)" }
        // The schema's own order is the default; a shorter row names the columns it has.
        let listed = width < columns.count ? columns.prefix(width).map(\.name) : nil
        return Result(present: false, header: nil, mapping: mapping, unmapped: unmapped, columns: listed, ambiguities: ambiguities)
    }

    private static func describe(_ kind: FieldKind) -> String {
        switch kind {
        case .empty: "nothing"
        case .number: "numbers"
        case .date: "dates"
        case .timestamp: "timestamps"
        case .text: "text"
        }
    }
}
