/// The single writer: takes batches off the queue and group-commits them.
///
/// It waits for one batch, then takes whatever else is already queued (up to a row budget),
/// and commits them all in one transaction, so many small files share one fsync. When little
/// is ready, it lingers a moment for more: a commit costs an fsync whatever its size, and
/// committing a handful of rows at a time would leave the writer busy with fsyncs.
struct Loader {
    let store: any Warehouse
    let queue: BoundedQueue<LoaderItem>
    /// Rows gathered into one transaction at most.
    let maxRowsPerCommit: Int
    /// Below this many rows, the loader lingers for more before it commits...
    var lingerBelowRows = 4_096
    /// ...for at most this long.
    var linger = Duration.milliseconds(20)
    let clock: RunClock
    let events: EngineEvents

    /// Runs until the queue is finished.
    /// - Throws: the store's error; the queue is then failed so no producer waits forever.
    func run() async throws {
        while let first = await queue.receive() {
            var items = [first]
            var rows = first.weight
            func takeReady() {
                while rows < maxRowsPerCommit, let more = queue.tryReceive() {
                    items.append(more)
                    rows += more.weight
                }
            }
            takeReady()
            let deadline = ContinuousClock.now + linger
            while rows < lingerBelowRows, !queue.isFinished, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(1))
                takeReady()
            }
            let began = ContinuousClock.now
            let batches = items.map { item in
                var batch = item.batch
                batch.stages.queueWait = (began - item.sentAt).inSeconds
                return batch
            }
            let refused: Set<Int64>
            do {
                refused = try await store.commit(batches, at: clock.timestamp())
            } catch {
                let dropped = queue.fail(error)
                for item in items + dropped { item.committed?.fail(error) }
                throw error
            }
            events.emit(.batchCommitted(
                files: batches.compactMap { batch in
                    batch.settled != nil || refused.contains(batch.progress.fileID) ? nil : CommittedFile(supplier: batch.supplier, fileID: batch.progress.fileID,
                                                              rows: batch.progress.rows, bytes: batch.bytes, stages: batch.stages,
                                                              outcome: batch.progress.completion?.label)
                },
                seconds: (ContinuousClock.now - began).inSeconds, at: clock.timestamp(), queueRows: queue.heldWeight))
            for item in items {
                let file = item.batch.progress.fileID
                if refused.contains(file) { item.committed?.fail(LeaseLost(fileID: file)) } else { item.committed?.succeed() }
            }
        }
    }
}
