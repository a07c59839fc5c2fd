/// What `ProfileSniffer` made of the start of a file: a profile, how the file's header maps
/// onto the schema, and every choice the sample could not settle.
public struct ProfileGuess: Sendable, Equatable {
    /// The profile that would read the file; keys the sample says nothing about keep their defaults.
    public var profile: SupplierProfile
    /// The header names as read; nil when the first line is data.
    public var header: [String]?
    /// Header names (or, without a header, field positions) matched to schema columns, in file order.
    public var mapping: [SniffedMatch]
    /// Header names that match no schema column (`field N` without a header): they would be extra columns.
    public var unmappedHeaders: [String]
    /// Schema columns the file does not have, in schema order.
    public var missingColumns: [String]
    /// The required ones among `missingColumns`: a file without them cannot load.
    public var missingRequiredColumns: [String]
    /// One sentence for each choice the sample left open, naming what was picked.
    public var ambiguities: [String]
    /// Records the guess was made from, the header among them.
    public var sampledRecords: Int

    public init(profile: SupplierProfile, header: [String]?, mapping: [SniffedMatch], unmappedHeaders: [String],
                missingColumns: [String], missingRequiredColumns: [String], ambiguities: [String], sampledRecords: Int) {
        self.profile = profile
        self.header = header
        self.mapping = mapping
        self.unmappedHeaders = unmappedHeaders
        self.missingColumns = missingColumns
        self.missingRequiredColumns = missingRequiredColumns
        self.ambiguities = ambiguities
        self.sampledRecords = sampledRecords
    }

    /// Whether every required column is found under the guessed profile.
    public var headerMaps: Bool { missingRequiredColumns.isEmpty }

    /// The profile as YAML to paste under `profiles:`.
    public func yaml(name: String, indent: Int = 2) -> String {
        ProfileYAML.render(profile, name: name, indent: indent)
    }
}

/// One file column matched to a schema column.
public struct SniffedMatch: Sendable, Equatable {
    /// The header name as written; `field N` (1-based) when the file has no header.
    public var header: String
    /// 0-based field position in the file.
    public var position: Int
    public var column: String
    public var match: HeaderMatchKind

    public init(header: String, position: Int, column: String, match: HeaderMatchKind) {
        self.header = header
        self.position = position
        self.column = column
        self.match = match
    }
}

/// How a header name was found to mean a column.
public enum HeaderMatchKind: String, Sendable, CaseIterable {
    /// The very name.
    case exact
    /// Equal once case, spaces and punctuation are folded (`header_match: normalized`).
    case normalized
    /// Close in spelling, an abbreviation or a longer name holding it (`Qty`, `quantiy`):
    /// a did-you-mean, proposed as an alias.
    case similar
    /// No header: the field's place in the row.
    case position
}
