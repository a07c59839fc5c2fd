import Logging

/// A loaded file waiting for its `after_load` action, with the signal of its last commit.
struct SettleRequest: Sendable {
    var job: FileJob
    var committed: CommitSignal
}

/// Archives or deletes loaded files once their last batch is durable, away from the files'
/// slots: a slot is free once its file is read, and the settle action follows the commit here.
/// Files whose requests are waiting together are moved together and their folders synced
/// once, before the store records them settled; a crash in between leaves them to the next
/// run, which recognises a move that already happened.
struct SettleStage: Sendable {
    let settler: Settler
    let requests: BoundedQueue<SettleRequest>
    let loader: BoundedQueue<LoaderItem>
    let logger: Logger
    /// A loaded file could not be settled: the next run tries again.
    let onProblem: @Sendable (FileJob, String) -> Void
    /// Files settled together at most.
    var groupSize = 256

    /// Runs until the requests are finished.
    /// - Throws: the loader's error, when a file's commit failed; the requests are then failed
    ///   too, so no worker waits for room forever.
    func run() async throws {
        do {
            try await settleAll()
        } catch {
            _ = requests.fail(error)
            throw error
        }
    }

    private func settleAll() async throws {
        while let first = await requests.receive() {
            var group = [first]
            while group.count < groupSize, let more = requests.tryReceive() { group.append(more) }
            var settled: [FileJob] = []
            var folders: Set<ChangedFolder> = []
            for request in group {
                try await request.committed.wait()
                do {
                    folders.formUnion(try settler.move(request.job.file, fileID: request.job.record.id))
                    settled.append(request.job)
                } catch {
                    let job = request.job
                    logger.warning("could not settle a loaded file; the next run tries again", metadata: [
                        "supplier": "\(job.file.supplier)", "file": "\(job.file.relativePath)", "error": "\(error)"])
                    onProblem(job, "\(job.file.supplier)/\(job.file.relativePath): loaded, but \(error)")
                }
            }
            settler.sync(folders)
            for job in settled {
                var marker = LoadBatch(supplier: job.file.supplier, file: job.file.relativePath,
                                       rows: RowBatch(columnCount: 0), quarantine: [],
                                       progress: FileProgress(fileID: job.record.id, next: .start))
                marker.settled = settler.action
                try await loader.send(LoaderItem(batch: marker, committed: nil))
            }
        }
    }
}
