/// How one file's header maps onto the schema, and how it drifts from it.
///
/// Resolved once per file from the header as delivered and the supplier's profile; the row
/// loop then only reads `fieldIndex`.
public struct HeaderMapping: Sendable, Equatable {
    /// How a header name was taken for a column.
    public enum Match: String, Sendable {
        case exact, alias, normalized, position
    }

    public struct Resolved: Sendable, Equatable {
        public var header: String
        public var column: String
        public var match: Match
    }

    /// The header as delivered (for a headerless file, the profile's column names).
    public let header: [String]
    /// Per schema column, its field in the file; nil when the file lacks it.
    public let fieldIndex: [Int?]
    /// The columns the header resolved to, in file order.
    public let resolved: [Resolved]
    /// Header fields no column takes: kept in `_extra` or dropped, as the profile says.
    public let extra: [(name: String, index: Int)]
    public let drift: HeaderDrift

    /// - Throws: `ReadError(.malformedHeader)` for an empty or repeated name, two names that
    ///   resolve to one column, or a required column the header lacks.
    public init(header: [String], schema: SchemaDefinition, profile: SupplierProfile) throws {
        self.header = header
        let columns = schema.columns.map(\.name)
        var byName: [String: (column: String, match: Match)] = [:]
        for column in columns { byName[column] = (column, .exact) }
        for (column, names) in profile.aliases { for name in names { byName[name] = (column, .alias) } }
        var byNormalized: [String: String] = [:]
        if profile.headerMatch == .normalized {
            for (name, target) in byName { byNormalized[HeaderName.normalized(name)] = target.column }
        }
        let positional = profile.header == .absent
        var index = [String: Int]()
        var resolved: [Resolved] = []
        var extra: [(name: String, index: Int)] = []
        for (position, name) in header.enumerated() {
            if positional && name.isEmpty { extra.append(("field \(position + 1)", position)); continue }
            guard !name.isEmpty else { throw ReadError(.malformedHeader, "header field \(position + 1) is empty", line: 1) }
            guard !header[..<position].contains(name) else { throw ReadError(.malformedHeader, "header names '\(name)' twice", line: 1) }
            let found: (column: String, match: Match)? = positional ? (name, .position)
                : byName[name] ?? byNormalized[HeaderName.normalized(name)].map { ($0, .normalized) }
            guard let found else { extra.append((name, position)); continue }
            if let earlier = index[found.column] {
                throw ReadError(.malformedHeader, "header names '\(header[earlier])' and '\(name)' both resolve to column \(found.column); remove one alias, or use header_match: exact", line: 1)
            }
            index[found.column] = position
            resolved.append(Resolved(header: name, column: found.column, match: found.match))
        }
        let absent = schema.columns.filter { index[$0.name] == nil }
        let renamed = Self.likelyRenames(absent.map(\.name), extra.map(\.name))
        let required = absent.filter(\.required).map(\.name)
        guard required.isEmpty else {
            let hints = renamed.filter { required.contains($0.column) }.map { "'\($0.header)' looks like \($0.column): add it to aliases" }
            throw ReadError(.malformedHeader, "missing required column\(required.count > 1 ? "s" : "") \(required.joined(separator: ", ")); header is \(header.joined(separator: ","))\(hints.isEmpty ? "" : "; " + hints.joined(separator: "; "))", line: 1)
        }
        fieldIndex = columns.map { index[$0] }
        self.resolved = resolved
        self.extra = extra
        let renamedColumns = Set(renamed.map(\.column)), renamedHeaders = Set(renamed.map(\.header))
        drift = HeaderDrift(missing: absent.map(\.name).filter { !renamedColumns.contains($0) },
                            extra: extra.map(\.name).filter { !renamedHeaders.contains($0) },
                            renamed: renamed)
    }

    public static func == (a: HeaderMapping, b: HeaderMapping) -> Bool {
        a.header == b.header && a.fieldIndex == b.fieldIndex && a.resolved == b.resolved && a.drift == b.drift
            && a.extra.map(\.name) == b.extra.map(\.name)
    }

    /// Absent columns an unmatched header name looks like: the same when normalized, or a
    /// near spelling (`Qty` for `quantity` is an alias to declare, `quantty` a typo to see).
    static func likelyRenames(_ absent: [String], _ unmatched: [String]) -> [HeaderDrift.Rename] {
        var taken = Set<String>()
        return absent.compactMap { column in
            let candidates = unmatched.filter { !taken.contains($0) }
            let normalized = HeaderName.normalized(column)
            let pick = candidates.first { HeaderName.normalized($0) == normalized }
                ?? closestMatch(to: normalized, in: candidates.map(HeaderName.normalized)).flatMap { near in
                    candidates.first { HeaderName.normalized($0) == near }
                }
                ?? candidates.first { Self.abbreviates($0, column) }
            guard let pick else { return nil }
            taken.insert(pick)
            return HeaderDrift.Rename(column: column, header: pick)
        }
    }

    /// `Qty` for `quantity`: the name's letters appear in order in the column's, starting with its first.
    private static func abbreviates(_ name: String, _ column: String) -> Bool {
        let short = Array(HeaderName.normalized(name)), long = Array(HeaderName.normalized(column))
        guard short.count >= 2, short.count < long.count, short.first == long.first else { return false }
        var rest = long[...]
        for character in short {
            guard let found = rest.firstIndex(of: character) else { return false }
            rest = rest[(found + 1)...]
        }
        return true
    }

    /// Header text as the store keys it: names joined by a unit separator.
    public var headerText: String { header.joined(separator: "\u{1F}") }

    /// The mapping in words, as the store and the report show it: `Qty→quantity (alias)`.
    public var description: String {
        var parts = resolved.map { $0.header == $0.column ? $0.column : "\($0.header)→\($0.column) (\($0.match.rawValue))" }
        parts += extra.map { "\($0.name) (extra)" }
        parts += drift.missing.map { "\($0) (missing)" }
        return parts.joined(separator: ", ")
    }
}

/// How a file's header differs from the schema. A reordered header is never drift.
public struct HeaderDrift: Sendable, Equatable, CustomStringConvertible {
    public struct Rename: Sendable, Equatable {
        public var column: String
        public var header: String
    }

    /// Optional columns the file does not have.
    public var missing: [String]
    /// Header names the schema does not name.
    public var extra: [String]
    /// Columns the file seems to send under another name (missing, and an extra name looks like it).
    public var renamed: [Rename]

    public var isEmpty: Bool { missing.isEmpty && extra.isEmpty && renamed.isEmpty }

    /// Every column the drift touches, for events and metrics.
    public var columns: [String] { missing + extra + renamed.flatMap { [$0.column, $0.header] } }

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing \(missing.joined(separator: ", "))") }
        if !extra.isEmpty { parts.append("extra \(extra.joined(separator: ", "))") }
        if !renamed.isEmpty {
            parts.append("renamed " + renamed.map { "\($0.column) → \($0.header)?" }.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
}
