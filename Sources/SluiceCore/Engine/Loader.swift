/// The single writer: takes batches off the queue and group-commits them.
///
/// It waits for one batch, then takes whatever else is already queued (up to a row budget),
/// and commits them all in one transaction, so many small files share one fsync.
struct Loader {
    let sink: any Sink
    let queue: BoundedQueue<LoaderItem>
    /// Rows gathered into one transaction at most.
    let maxRowsPerCommit: Int
    let clock: RunClock
    let onCommit: @Sendable ([LoadBatch]) -> Void

    /// Runs until the queue is finished.
    /// - Throws: the sink's error; the queue is then failed so no producer waits forever.
    func run() async throws {
        while let first = await queue.receive() {
            var items = [first]
            var rows = first.weight
            while rows < maxRowsPerCommit, let more = queue.tryReceive() {
                items.append(more)
                rows += more.weight
            }
            let batches = items.map(\.batch)
            do {
                try sink.commit(batches, at: clock.timestamp())
            } catch {
                let dropped = queue.fail(error)
                for item in items + dropped { item.committed?.fail(error) }
                throw error
            }
            onCommit(batches)
            for item in items { item.committed?.succeed() }
        }
    }
}
