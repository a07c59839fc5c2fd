/// A profile as the definition writes it: the keys that differ from the defaults, in the
/// order the definition documents them, ready to paste under `profiles:`.
public enum ProfileYAML {
    /// Every profile key with its value as YAML, defaults included, in definition order.
    public static func entries(_ profile: SupplierProfile) -> [(key: String, value: String)] {
        [
            ("delimiter", YAMLScalar.render(profile.delimiter)),
            ("quote", YAMLScalar.render(profile.quote)),
            ("escape", profile.escape.rawValue),
            ("header", profile.header.rawValue),
            ("columns", profile.columns.map(YAMLScalar.list) ?? "~"),
            ("header_match", profile.headerMatch.rawValue),
            ("aliases", aliases(profile.aliases)),
            ("decimal", YAMLScalar.render(profile.numbers.decimal)),
            ("thousands", profile.numbers.thousands.map(YAMLScalar.render) ?? "none"),
            ("date_format", profile.dateFormat.map(YAMLScalar.render) ?? "~"),
            ("timestamp_format", profile.timestampFormat.map(YAMLScalar.render) ?? "~"),
            ("timezone", profile.timeZone.map { YAMLScalar.render($0.description) } ?? "~"),
            ("null_values", YAMLScalar.list(profile.nullValues)),
            ("trim", String(profile.trim)),
            ("encoding", profile.encoding.rawValue),
            ("on_drift", profile.onDrift.rawValue),
            ("extra_columns", profile.extraColumns.rawValue),
        ]
    }

    /// The keys of `profile` whose values differ from `SupplierProfile()`'s.
    public static func changedEntries(_ profile: SupplierProfile) -> [(key: String, value: String)] {
        let defaults = Dictionary(entries(SupplierProfile()), uniquingKeysWith: { a, _ in a })
        return entries(profile).filter { defaults[$0.key] != $0.value }
    }

    /// `name:` and one indented line per key that differs from the defaults, every line
    /// indented by `indent` spaces; `name: {}` when none does.
    public static func render(_ profile: SupplierProfile, name: String, indent: Int = 2) -> String {
        let pad = String(repeating: " ", count: indent)
        let changed = changedEntries(profile)
        guard !changed.isEmpty else { return "\(pad)\(YAMLScalar.render(name)): {}" }
        return ([pad + YAMLScalar.render(name) + ":"] + changed.map { "\(pad)  \($0.key): \($0.value)" }).joined(separator: "\n")
    }

    private static func aliases(_ aliases: [String: [String]]) -> String {
        guard !aliases.isEmpty else { return "{}" }
        let pairs = aliases.sorted { $0.key < $1.key }.map { "\(YAMLScalar.render($0.key)): \(YAMLScalar.list($0.value))" }
        return "{ " + pairs.joined(separator: ", ") + " }"
    }
}
