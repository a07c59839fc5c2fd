/// What `sluice prune` removed, or would remove.
public struct PruneResult: Sendable, Equatable {
    /// Supplier paths whose records went.
    public var paths = 0
    /// Records (file versions) removed.
    public var records = 0
    /// Paths old enough to prune but still in the source, so kept.
    public var stillPresent = 0

    public init() {}
}
