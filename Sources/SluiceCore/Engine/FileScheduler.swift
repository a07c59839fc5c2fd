import DequeModule
import Logging

/// Starts files as the limiter allows, each as a child task, and hands on their final results.
///
/// Files arrive over time, a delivery at a time; the scheduler ends once the feed has ended
/// and every file has finished. A file that fails for a passing reason goes back to the
/// limiter, which retries it after backoff from where it last committed; its earlier
/// attempts' counts join the last one's.
struct FileScheduler: Sendable {
    let limiter: Limiter
    let worker: FileWorker
    let stop: StopRequest
    let clock: RunClock
    let events: EngineEvents
    let logger: Logger
    /// Several workers share the store: each file is claimed before it starts.
    var claims: (any FileClaims)?
    /// Each supplier's terms across workers, by name (see `FileClaims.claim`).
    var terms: @Sendable (Int) -> SupplierTerms = { _ in SupplierTerms(name: "", cap: 1, group: 0, spacing: .zero) }

    /// How often a scheduler that is only waiting looks at the stop request.
    static let stopCheck = Duration.milliseconds(200)

    private enum Event: Sendable {
        case file(id: Int, supplier: Int, FileResult)
        /// The claim did not give the file to this worker; it is asked for again after `retryIn`
        /// (nil: another worker finished it).
        case notClaimed(id: Int, supplier: Int, name: String, retryIn: Duration?, holdSupplier: Bool)
        /// A leased file's last commit landed, or was refused because its lease was lost.
        case lastCommit(id: Int, supplier: Int, FileResult, refused: Bool)
        /// A delivery, or nil once the feed has ended.
        case arrival(Arrival?)
        case timer
    }

    /// Runs every file that arrives; `final` gets each file's result, with the file's store id,
    /// once no retry follows, and `handedOff` the supplier of each file another worker loaded.
    func run(_ arrivals: BoundedQueue<Arrival>, handedOff: (String) -> Void = { _ in },
             final: (FileResult, Int) -> Void) async throws {
        /// Files not started yet, per supplier, in the order the limiter starts them (a supplier's
        /// new files go first in, first out). A backlog of 100,000 files costs a job each here; a
        /// dictionary by id cost more than twice that, and more again while it grew.
        var waiting: [Deque<FileJob>] = []
        /// Files started and not ended (in flight, or waiting for a retry), by store id.
        var started: [Int: FileJob] = [:]
        /// Ids waiting or started: a stream delivers a file again when only its modification time
        /// changed, and the copy must not run beside the original.
        var known: Set<Int> = []
        /// Files waiting for a retry: their last result, and when they became eligible again.
        var retrying: [Int: (result: FileResult, queuedAt: Double)] = [:]
        /// Suppliers whose breaker is open, by name: the next slot granted closes it.
        var paused: Set<String> = []
        var breakerOpenings = 0
        try await withThrowingTaskGroup(of: Event.self) { group in
            var timerDeadline: ContinuousClock.Instant?
            var inFlight = 0
            /// Files read to their end whose last commit is not known to have landed: a file is
            /// finished (and shows as done) only once its rows are in the store.
            var awaitingCommit = 0
            func listen() { group.addTask { .arrival(await arrivals.receive()) } }
            func handle(_ event: Event) async {
                switch event {
                case .lastCommit(let id, _, let result, refused: false):
                    awaitingCommit -= 1
                    conclude(id, result)
                case .lastCommit(let id, let supplier, let result, refused: true):
                    // Most likely another worker has the file now; the claim tells, and takes it
                    // back if no one does (a claim the server lost in a crash).
                    awaitingCommit -= 1
                    logger.warning("the file's last commit was refused: its lease expired and another worker may have taken it over",
                                   metadata: ["supplier": "\(result.supplier)", "file.id": "\(id)"])
                    await limiter.requeue(file: id, supplier: supplier, at: .now)
                case .notClaimed(let id, let supplier, let name, let retryIn, let holdSupplier):
                    inFlight -= 1
                    let now = ContinuousClock.now
                    let again = await limiter.finished(
                        file: id, supplier: supplier,
                        outcome: .notStarted(retryAt: retryIn.map { now + $0 }, holdSupplier: holdSupplier), now: now)
                    if !again { handOff(id: id, name: name) }
                case .file(let id, let supplier, var result):
                    inFlight -= 1
                    events.emit(.fileRead(FileReadEvent(
                        supplier: result.supplier, fileID: Int64(id),
                        outcome: result.interrupted ? "interrupted" : result.completion.label,
                        rows: result.rows, seconds: result.finishedAt - result.startedAt)))
                    if let error = result.error {
                        events.emit(.error(supplier: result.supplier, stage: error.stage, kind: error.kind))
                    }
                    // Rows an earlier attempt committed are part of the file's result too.
                    if let earlier = retrying.removeValue(forKey: id), !result.isRolledBack {
                        result.addCounts(of: earlier.result)
                    }
                    let retried = await limiter.finished(file: id, supplier: supplier,
                                                         outcome: outcome(of: result), now: .now)
                    let openings = await limiter.breakerOpenings
                    if openings.count > breakerOpenings, let opening = openings.last {
                        breakerOpenings = openings.count
                        paused.insert(result.supplier)
                        events.emit(.breakerOpened(supplier: result.supplier,
                                                   untilSeconds: clock.timestamp(opening.until)))
                    }
                    log(result, id: id, retried: retried)
                    if retried {
                        events.emit(.fileRetried(supplier: result.supplier, fileID: Int64(id)))
                        retrying[id] = (result, clock.timestamp())
                    } else if let commit = result.lastCommit {
                        // The file is finished once its rows are in the store; under a lease, a
                        // refused commit says another worker has it now.
                        awaitingCommit += 1
                        group.addTask {
                            do {
                                try await commit.wait()
                                return .lastCommit(id: id, supplier: supplier, result, refused: false)
                            } catch is LeaseLost {
                                return .lastCommit(id: id, supplier: supplier, result, refused: true)
                            }
                        }
                    } else {
                        conclude(id, result)
                    }
                case .arrival(let arrival?):
                    await limiter.addSuppliers(arrival.suppliers)
                    let queuedAt = clock.timestamp()
                    while waiting.count < arrival.jobs.count { waiting.append([]) }
                    for (supplier, delivered) in arrival.jobs.enumerated() where !delivered.isEmpty {
                        let fresh = delivered.filter { known.insert(Int($0.id)).inserted }
                        waiting[supplier].append(contentsOf: fresh.lazy.map { job in
                            var job = job
                            job.queuedAt = queuedAt
                            return job
                        })
                        guard let first = fresh.first else { continue }
                        events.emit(.filesQueued(supplier: first.file.supplier, fileIDs: fresh.map(\.id)))
                        await limiter.enqueue(fresh.map { Int($0.id) }, supplier: supplier)
                    }
                    listen()
                case .arrival(nil):
                    await limiter.closeFeed()
                case .timer:
                    if let deadline = timerDeadline, deadline <= .now { timerDeadline = nil }
                }
            }
            /// The file is done with for this run: no retry follows.
            func conclude(_ id: Int, _ result: FileResult) {
                started[id] = nil
                known.remove(id)
                events.emit(.fileFinished(FileFinishedEvent(
                    supplier: result.supplier, fileID: Int64(id),
                    outcome: result.interrupted ? "interrupted" : result.completion.label, rows: result.rows)))
                final(result, id)
            }
            /// Another worker loaded the file: it leaves this run without a result of its own,
            /// apart from what an earlier attempt here committed.
            func handOff(id: Int, name: String) {
                started[id] = nil
                known.remove(id)
                events.emit(.fileHandedOff(supplier: name, fileID: Int64(id), afterReading: false))
                if let earlier = retrying.removeValue(forKey: id) { final(earlier.result, id) } else { handedOff(name) }
            }
            listen()
            loop: while !stop.isRequested {
                defer { if stop.isRequested { group.cancelAll() } }
                let now = ContinuousClock.now
                switch await limiter.next(now: now) {
                case .start(let id, let supplier):
                    var job: FileJob
                    if let again = started[id] {
                        job = again
                    } else {
                        guard supplier < waiting.count, let next = waiting[supplier].popFirst(), Int(next.id) == id else {
                            preconditionFailure("the limiter started a file out of the order it was given")
                        }
                        job = next
                        started[id] = job
                    }
                    if let retry = retrying[id] {
                        job.record = retry.result.committed
                        job.queuedAt = retry.queuedAt
                    }
                    inFlight += 1
                    if paused.remove(job.file.supplier) != nil { events.emit(.breakerClosed(supplier: job.file.supplier)) }
                    let grantedAt = clock.timestamp(now)
                    group.addTask { [job] in try await start(job, id: id, supplier: supplier, grantedAt: grantedAt) }
                case .wait(let until):
                    waitForTimer(until: until, now: now, deadline: &timerDeadline, group: &group)
                    guard let event = try await group.next() else { break loop }
                    await handle(event)
                case .idle:
                    // Nothing to start until a file arrives or one in flight comes back for a retry.
                    waitForTimer(until: nil, now: now, deadline: &timerDeadline, group: &group)
                    guard let event = try await group.next() else { break loop }
                    await handle(event)
                case .drained:
                    // A file still in flight may fail and come back for a retry, and a leased
                    // file's refused last commit sends it back to be claimed again.
                    guard inFlight + awaitingCommit > 0, let event = try await group.next() else { break loop }
                    await handle(event)
                }
            }
            // A stop leaves deliveries unread: the feed's sender must not wait for room forever.
            if stop.isRequested { arrivals.fail(CancellationError()) }
            while let event = try await group.next() {
                if case .arrival = event { continue }
                await handle(event)
            }
        }
        // Files a stop left waiting for their retry end with their last attempt.
        for (id, retry) in retrying.sorted(by: { $0.key < $1.key }) { final(retry.result, id) }
    }

    /// Claims the file when workers share the store, then reads it to its end. It starts when
    /// the limiter granted it (`grantedAt`), or once claimed.
    private func start(_ job: FileJob, id: Int, supplier: Int, grantedAt: Double) async throws -> Event {
        var job = job
        if let claims {
            let terms = terms(supplier)
            switch try await claims.claim(fileID: job.id, supplier: terms) {
            case .claimed(let lease, let record):
                job.lease = lease
                job.record = record
            case .finished:
                return .notClaimed(id: id, supplier: supplier, name: terms.name, retryIn: nil, holdSupplier: false)
            case .heldElsewhere(let wait):
                return .notClaimed(id: id, supplier: supplier, name: terms.name, retryIn: wait, holdSupplier: false)
            case .noRoom(let wait):
                return .notClaimed(id: id, supplier: supplier, name: terms.name, retryIn: wait, holdSupplier: true)
            }
        }
        let startedAt = claims == nil ? grantedAt : clock.timestamp()
        events.emit(.slotGranted(supplier: job.file.supplier, fileID: job.id, waitSeconds: max(0, startedAt - job.queuedAt)))
        let result = try await worker.run(job, startedAt: startedAt)
        // The file is read: its supplier's slot is free for any worker, while its own lease
        // holds until its last commit lands.
        claims?.releaseSlot(of: job.id)
        return .file(id: id, supplier: supplier, result)
    }

    /// One line per attempt: info when it loaded or will be tried again, a warning with the
    /// reason when it ended without loading.
    private func log(_ result: FileResult, id: Int, retried: Bool) {
        let loaded = result.completion == .done || result.completion == .empty || retried
        // The line's metadata costs more than the file's bookkeeping: build it only when it is written.
        guard logger.logLevel <= (loaded ? .info : .warning) else { return }
        let outcome = result.interrupted ? "interrupted" : result.completion.label
        var metadata: Logger.Metadata = [
            "supplier": "\(result.supplier)", "file.id": "\(id)", "file": "\(result.committed.relativePath)",
            "outcome": "\(outcome)", "rows.read": "\(result.rows.read)", "rows.loaded": "\(result.rows.loaded)",
            "rows.quarantined": "\(result.rows.quarantined)", "seconds": "\(result.finishedAt - result.startedAt)"]
        switch result.completion {
        case .done, .empty:
            logger.info("file read", metadata: metadata)
        case .quarantined(let reason), .failed(let reason), .damaged(let reason), .rolledBack(let reason):
            metadata["reason"] = "\(reason)"
            if retried {
                logger.info("file attempt failed; it is tried again", metadata: metadata)
            } else {
                logger.warning("file not loaded", metadata: metadata)
            }
        }
    }

    /// Wakes at least every 200 ms, so a stop request is seen even during a long backoff.
    private func waitForTimer(until: ContinuousClock.Instant?, now: ContinuousClock.Instant,
                              deadline: inout ContinuousClock.Instant?, group: inout ThrowingTaskGroup<Event, any Error>) {
        let wake = min(until ?? now + Self.stopCheck, now + Self.stopCheck)
        guard deadline.map({ wake < $0 }) ?? true else { return }
        deadline = wake
        group.addTask {
            try? await Task.sleep(until: wake, clock: .continuous)
            return .timer
        }
    }

    /// Passing failures are retried; a file that changed under the reader waits for the next
    /// run's listing instead, and everything else counts as handled.
    private func outcome(of result: FileResult) -> SchedulerStateMachine.Outcome {
        if result.interrupted { return .succeeded }
        switch result.completion {
        case .done, .quarantined, .rolledBack, .empty, .damaged: return .succeeded
        case .failed: return result.retryable ? .transientFailure(retryAfter: result.retryAfter) : .succeeded
        }
    }
}
