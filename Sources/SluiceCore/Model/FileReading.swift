/// How one attempt read a file: the profile, the header as delivered and what it mapped to,
/// and its drift. Kept with the file's record; headers once each, by digest.
public struct FileReading: Sendable, Equatable {
    /// The supplier's profile and schema as the key the store keeps (`ProfileKey`): a file
    /// rejected at its header is read again once this changes.
    public var profileKey: String
    public var headerDigest: String
    /// The header names joined by a unit separator (U+001F).
    public var header: String
    /// `Qty→quantity (alias), ...`; empty when the header could not be mapped.
    public var mapping: String
    /// The drift in words; nil when the header matches the schema.
    public var drift: String?

    public init(profileKey: String, header: [String], mapping: HeaderMapping?) {
        self.profileKey = profileKey
        self.header = header.joined(separator: "\u{1F}")
        headerDigest = stableDigest(self.header)
        self.mapping = mapping?.description ?? ""
        drift = mapping.flatMap { $0.drift.isEmpty ? nil : $0.drift.description }
    }

    public init(profileKey: String, headerDigest: String, header: String, mapping: String, drift: String?) {
        (self.profileKey, self.headerDigest, self.header, self.mapping, self.drift) = (profileKey, headerDigest, header, mapping, drift)
    }
}

/// A profile and schema as one stable text: its name and a digest of every key that changes
/// how a file is read (aliases in sorted order, so the key is the same in every process).
public enum ProfileKey {
    public static func of(_ p: SupplierProfile, schema: SchemaDefinition) -> String {
        let aliases = p.aliases.keys.sorted().map { "\($0)=\(p.aliases[$0]!.joined(separator: "|"))" }.joined(separator: ";")
        let columns = schema.columns.map { "\($0.name):\($0.type):\($0.required)" }.joined(separator: ",")
        let text = [String(p.delimiter), String(p.quote), p.escape.rawValue, p.header.rawValue, p.columns?.joined(separator: ",") ?? "",
                    aliases, p.headerMatch.rawValue, String(p.numbers.decimal), p.numbers.thousands.map(String.init) ?? "",
                    p.dateFormat ?? "", p.timestampFormat ?? "", p.timeZone?.description ?? "", p.nullValues.joined(separator: "|"),
                    String(p.trim), p.encoding.rawValue, p.onDrift.rawValue, p.extraColumns.rawValue, columns].joined(separator: "\u{1F}")
        return "\(p.name ?? "default")@\(stableDigest(text).prefix(12))"
    }
}

/// Each supplier's profile key, worked out once per run.
struct ProfileKeys: Sendable {
    private let byDefault: String
    private let bySupplier: [String: String]

    init(_ definition: PipelineDefinition) {
        byDefault = ProfileKey.of(definition.source.profile, schema: definition.schema)
        bySupplier = Dictionary(definition.source.suppliers.map { ($0.name, ProfileKey.of($0.profile, schema: definition.schema)) },
                                uniquingKeysWith: { first, _ in first })
    }

    func key(for supplier: String) -> String { bySupplier[supplier] ?? byDefault }
}
