/// A batch on its way to the loader, with the signal its sender may wait on.
struct LoaderItem: Sendable {
    var batch: LoadBatch
    var committed: CommitSignal?
}
