/// A batch on its way to the loader, with the signal its sender may wait on.
struct LoaderItem: Sendable {
    var batch: LoadBatch
    var committed: CommitSignal?
}

extension LoaderItem {
    /// What the item costs the queue: its rows and quarantine entries, at least one.
    var weight: Int { max(1, batch.rows.rowCount + batch.quarantine.count) }
}
