/// Starts files as the limiter allows, each as a child task, and hands on their final results.
///
/// A file that fails for a passing reason goes back to the limiter, which retries it after
/// backoff from where it last committed; its earlier attempts' counts join the last one's.
struct FileScheduler: Sendable {
    let limiter: Limiter
    let worker: FileWorker
    let stop: StopRequest
    let clock: RunClock

    /// How often a scheduler that is only waiting looks at the stop request.
    static let stopCheck = Duration.milliseconds(200)

    private enum Event: Sendable {
        case file(index: Int, supplier: Int, FileResult)
        case timer
    }

    /// Runs every job; `final` gets each file's result, with the file's index in `jobs`, once
    /// no retry follows.
    func run(_ jobs: [FileJob], final: (FileResult, Int) -> Void) async throws {
        let runQueuedAt = clock.timestamp()
        /// Files waiting for a retry: their last result, and when they became eligible again.
        var retrying: [Int: (result: FileResult, queuedAt: Double)] = [:]
        try await withThrowingTaskGroup(of: Event.self) { group in
            var timerDeadline: ContinuousClock.Instant?
            var inFlight = 0
            func handle(_ event: Event) async {
                switch event {
                case .file(let index, let supplier, var result):
                    inFlight -= 1
                    // Rows an earlier attempt committed are part of the file's result too.
                    if let earlier = retrying.removeValue(forKey: index), !result.isRolledBack {
                        result.addCounts(of: earlier.result)
                    }
                    let retried = await limiter.finished(file: index, supplier: supplier,
                                                         outcome: outcome(of: result), now: .now)
                    if retried {
                        retrying[index] = (result, clock.timestamp())
                    } else {
                        final(result, index)
                    }
                case .timer:
                    if let deadline = timerDeadline, deadline <= .now { timerDeadline = nil }
                }
            }
            loop: while !stop.isRequested {
                defer { if stop.isRequested { group.cancelAll() } }
                let now = ContinuousClock.now
                switch await limiter.next(now: now) {
                case .start(let index, let supplier):
                    var job = jobs[index]
                    job.queuedAt = runQueuedAt
                    if let retry = retrying[index] {
                        job.record = retry.result.committed
                        job.queuedAt = retry.queuedAt
                    }
                    let startedAt = clock.timestamp(now)
                    inFlight += 1
                    group.addTask { .file(index: index, supplier: supplier, try await worker.run(job, startedAt: startedAt)) }
                case .wait(let until):
                    // Wake at least every 200 ms, so a stop request is seen even during a long backoff.
                    let wake = min(until ?? now + Self.stopCheck, now + Self.stopCheck)
                    if timerDeadline.map({ wake < $0 }) ?? true {
                        timerDeadline = wake
                        group.addTask {
                            try? await Task.sleep(until: wake, clock: .continuous)
                            return .timer
                        }
                    }
                    guard let event = try await group.next() else { break loop }
                    await handle(event)
                case .drained:
                    // A file still in flight may fail and come back for a retry.
                    guard inFlight > 0, let event = try await group.next() else { break loop }
                    await handle(event)
                }
            }
            while let event = try await group.next() { await handle(event) }
        }
        // Files a stop left waiting for their retry end with their last attempt.
        for (index, retry) in retrying.sorted(by: { $0.key < $1.key }) { final(retry.result, index) }
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
