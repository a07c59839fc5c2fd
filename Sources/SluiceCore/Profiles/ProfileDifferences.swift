/// How one profile differs from another, key by key, in the definition's terms.
public enum ProfileDifferences {
    /// One line per key whose values differ: `delimiter: ";" sniffed, "," declared`.
    public static func between(_ sniffed: SupplierProfile, and declared: SupplierProfile,
                               sniffedLabel: String = "sniffed", declaredLabel: String = "declared") -> [String] {
        let theirs = Dictionary(ProfileYAML.entries(declared), uniquingKeysWith: { a, _ in a })
        return ProfileYAML.entries(sniffed).compactMap { entry in
            let other = theirs[entry.key] ?? "~"
            guard other != entry.value else { return nil }
            return "\(entry.key): \(shown(entry.value)) \(sniffedLabel), \(shown(other)) \(declaredLabel)"
        }
    }

    /// YAML's `~` is no value: said so in a sentence.
    private static func shown(_ value: String) -> String { value == "~" ? "not set" : value }
}
