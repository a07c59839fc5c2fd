/// A batch on its way to the loader, with the signal its sender may wait on.
struct LoaderItem: Sendable {
    var batch: LoadBatch
    var committed: CommitSignal?
    /// When the batch was handed to the queue: the loader measures its wait from here.
    var sentAt = ContinuousClock.now
}

extension LoaderItem {
    /// What the item costs the queue: its rows and quarantine entries, at least one.
    var weight: Int { max(1, batch.rows.rowCount + batch.quarantine.count) }
}
