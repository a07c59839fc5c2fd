/// One file's header as the store keeps it, in delivery order within its supplier.
public struct HeaderSighting: Sendable, Equatable {
    public var supplier: String
    public var file: String
    public var digest: String
    /// Header names joined by U+001F.
    public var header: String
    public var drift: String?

    public init(supplier: String, file: String, digest: String, header: String, drift: String?) {
        (self.supplier, self.file, self.digest, self.header, self.drift) = (supplier, file, digest, header, drift)
    }
}

/// A supplier's header changed: the first file with the new header, and what changed.
public struct HeaderChange: Codable, Sendable, Equatable {
    public var supplier: String
    /// The first file delivered with the new header.
    public var file: String
    public var added: [String]
    public var removed: [String]
    /// The same names in another order.
    public var reordered: Bool
    /// The new header's drift from the schema, if any.
    public var drift: String?

    /// Each supplier's first header, then every change, from sightings in delivery order.
    public static func changes(in sightings: [HeaderSighting]) -> [HeaderChange] {
        var last: [String: HeaderSighting] = [:]
        var changes: [HeaderChange] = []
        for sighting in sightings where last[sighting.supplier]?.digest != sighting.digest {
            let new = names(sighting.header)
            let old = last[sighting.supplier].map { names($0.header) }
            let added = old.map { old in new.filter { !old.contains($0) } } ?? new
            let removed = old.map { old in old.filter { !new.contains($0) } } ?? []
            let reordered = old.map { Set($0) == Set(new) } ?? false
            var change = HeaderChange(supplier: sighting.supplier, file: sighting.file, added: added, removed: removed,
                                      reordered: reordered, drift: sighting.drift)
            change.firstSeen = old == nil
            changes.append(change)
            last[sighting.supplier] = sighting
        }
        return changes
    }

    private static func names(_ header: String) -> [String] { header.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }

    /// Set for a supplier's first header.
    public var firstSeen = false

    /// What changed, in words: `first header`, `same columns, reordered`, or `+channel, -notes`.
    public var summary: String {
        if firstSeen { return "first header" }
        if reordered { return "same columns, reordered" }
        return (added.map { "+\($0)" } + removed.map { "-\($0)" }).joined(separator: ", ")
    }
}
