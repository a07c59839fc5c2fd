import Foundation
import Logging
import Synchronization

/// The engine: one long-lived pipeline fed by deliveries. It registers each delivery, and its
/// scheduler, workers and loader outlive every listing. A batch run is the finite case: a feed
/// that lists once and ends, after which the pipeline drains and summarizes.
///
/// The engine sees only protocols: where files come from, how they are parsed, and where
/// rows and checkpoints go are all handed in.
public struct Pipeline: Sendable {
    public let definition: PipelineDefinition
    public let plan: OutputPlan
    public let readers: any RecordReaderFactory
    /// Where rows, rejects and checkpoints go, together.
    public let store: any Warehouse
    public var logger: Logger
    /// Rows (and quarantine entries) waiting for the loader at most; bounds memory between
    /// parse and load, and lets the loader gather a commit of many small files. Senders parked
    /// on a full queue hold a batch each, and the loader fills its commit from them too.
    public var queueRows = 8_192
    /// Rows per loader transaction at most.
    public var maxRowsPerCommit = 32_768
    /// Files registered per store transaction: a large listing's records are never all held at once.
    public var registrationSlice = 2_048
    /// Who hears what the engine does: metrics, progress, logs.
    public var events = EngineEvents()
    /// Set from a signal handler to stop cleanly.
    public var stop = StopRequest()
    /// Set when several workers share the store: every file is claimed before it starts, and
    /// the caps, the stagger and the pace of starts hold across all of them.
    public var claims: (any FileClaims)?

    public init(definition: PipelineDefinition, plan: OutputPlan, readers: any RecordReaderFactory,
                store: any Warehouse, logger: Logger) {
        self.definition = definition
        self.plan = plan
        self.readers = readers
        self.store = store
        self.logger = logger
    }

    /// Loads every file the feed delivers until it ends (or a stop is requested), and returns
    /// the summary.
    /// - Throws: `StoreError` when the store fails (the run stops: progress must persist),
    ///   `ReadError` when a supplier location cannot be listed.
    public func run(_ feed: any FileFeed) async throws -> RunSummary {
        let clockStart = ContinuousClock.now
        let clock = RunClock()
        try await store.prepare(columns: plan.columns)
        let tally = SharedTally(RunTally(suppliers: feed.suppliers))
        let runID = try await store.beginRun(at: clock.timestamp())
        // Every line this run logs names it, so one run's story can be told from another's.
        var pipeline = self
        pipeline.logger[metadataKey: "run.id"] = "\(runID)"
        pipeline.logger[metadataKey: "pipeline.name"] = "\(definition.name)"
        return try await pipeline.run(feed, runID: runID, clock: clock, clockStart: clockStart, tally: tally)
    }

    private func run(_ feed: any FileFeed, runID: Int64, clock: RunClock, clockStart: ContinuousClock.Instant,
                     tally: SharedTally) async throws -> RunSummary {
        let roster = SupplierRoster(definition: definition, suppliers: feed.suppliers)
        events.emit(.runStarted(runID: runID, suppliers: zip(roster.names, roster.limits).map {
            SupplierCap(supplier: $0, cap: $1.cap)
        }))
        let problems = Mutex<[DiscoveryProblem]>([])
        let openings: [BreakerOpening]
        do {
            openings = try await process(feed, roster: roster, clock: clock, tally: tally, seed: UInt64(bitPattern: runID)) { found in
                problems.withLock { $0 += found }
            }
        } catch {
            // The run's record says it failed; the error itself is the caller's to report.
            try? await claims?.releaseAll()
            try? await store.finishRun(runID, at: clock.timestamp(), exitCode: 4, summary: "failed: \(error)", breakerOpenings: [])
            throw error
        }
        // A stop leaves files partly read: other workers may take them at once, not after the lease.
        do {
            try await claims?.releaseAll()
        } catch {
            logger.warning("could not let this worker's leases go; they expire by themselves", metadata: ["error": "\(error)"])
        }
        for opening in openings { tally.update { $0.update(opening.supplier) { $0.breakerOpenings += 1 } } }
        let wall = (ContinuousClock.now - clockStart).inSeconds
        let final = tally.value
        var summary = RunSummary(pipeline: definition.name, suppliers: final.summaries, wallSeconds: wall,
                                 stoppedBySignal: stop.signal)
        summary.problems = problems.withLock { $0 }.map(\.description) + final.problems
        try await store.finishRun(runID, at: clock.timestamp(), exitCode: summary.exitCode,
                            summary: "\(summary.total.rows.loaded) loaded, \(summary.total.rows.quarantined) quarantined",
                            breakerOpenings: openings)
        return summary
    }

    /// Registers a delivery; what the run skips is counted in `tally` right away. Returns the
    /// files to load, and the loaded files a crash left before their settle action.
    /// The delivery and the store's records are let go on return: only the jobs stay.
    private func register(_ discovery: Discovery, roster: SupplierRoster, tally: SharedTally,
                          at time: Double) async throws -> (arrival: Arrival, unsettled: [FileJob]) {
        var unsettled: [FileJob] = []
        // A supplier seen for the first time (a folder that appeared under the root) joins the run.
        var seen: Set<String> = []
        for name in discovery.files.map(\.supplier) + discovery.problems.map(\.supplier)
        where seen.insert(name).inserted && roster.index(of: name).isNew {
            logger.info("a new supplier joined", metadata: ["supplier": "\(name)"])
            try await claims?.join([roster.terms(roster.index(of: name).index)], globalCap: definition.limits.maxConcurrency,
                                   stagger: definition.limits.stagger)
            tally.update { $0.add(supplier: name) }
            if let limits = roster.limits.last { events.emit(.supplierJoined(SupplierCap(supplier: name, cap: limits.cap))) }
        }
        let names = roster.names
        var arrival = Arrival(jobs: Array(repeating: [], count: names.count), suppliers: roster.limits)
        let supplierIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        for problem in discovery.problems {
            logger.warning("a delivery was not taken", metadata: ["supplier": "\(problem.supplier)", "file": "\(problem.relativePath)", "reason": "\(problem.reason)"])
            tally.update { $0.update(problem.supplier) { $0.filesFailed += 1 } }
            events.emit(.error(supplier: problem.supplier, stage: "discover", kind: "not_taken"))
        }
        var pending = 0
        let profileKeys = ProfileKeys(definition)
        for start in stride(from: 0, to: discovery.files.count, by: registrationSlice) {
            let files = Array(discovery.files[start..<min(start + registrationSlice, discovery.files.count)])
            let records = try await store.register(files, onChange: definition.source.onChange,
                                             onDuplicate: definition.source.onDuplicate, at: time)
            tally.update { tally in
                for (file, record) in zip(files, records) {
                    guard let supplier = supplierIndex[file.supplier] else { continue }
                    switch record.state {
                    case .quarantined where record.rejectedAtHeader(before: profileKeys.key(for: file.supplier)):
                        // Rejected at its header under a profile fixed since: read it again.
                        arrival.jobs[supplier].append(FileJob(file: file, record: record))
                        pending += 1
                    case .quarantined where record.registeredNow:
                        // A new version of a loaded file, rejected on sight (on_change: fail).
                        tally.update(file.supplier) { $0.files += 1; $0.filesQuarantined += 1 }
                    case .done, .quarantined, .superseded, .empty, .duplicate, .ignored:
                        tally.update(file.supplier) { $0.skipped += 1 }
                        if record.state == .done && !record.settled { unsettled.append(FileJob(file: file, record: record)) }
                    case .pending, .loading, .failed:
                        arrival.jobs[supplier].append(FileJob(file: file, record: record))
                        pending += 1
                    }
                }
            }
        }
        logger.info("discovered files", metadata: [
            "pipeline.name": "\(definition.name)", "files.found": "\(discovery.files.count)", "files.pending": "\(pending)"])
        let order = definition.limits.order
        arrival.jobs = arrival.jobs.enumerated().map { supplier, jobs in
            let sorted = jobs.sorted { a, b in
                let (x, y) = (a.file, b.file)
                switch order {
                case .oldest: return (x.modified, x.relativePath) < (y.modified, y.relativePath)
                case .newest: return (x.modified, x.relativePath) > (y.modified, y.relativePath)
                case .name: return x.relativePath < y.relativePath
                }
            }
            guard let claims, sorted.count > 1 else { return sorted }
            // Workers sharing the store each begin a supplier's files at a point of their own
            // and wrap around: walking the same order, they would all ask for the same file,
            // and all but one be refused, at every step.
            let start = Int(stableHash(claims.worker + "/" + names[supplier]) % UInt64(sorted.count))
            return Array(sorted[start...] + sorted[..<start])
        }
        return (arrival, unsettled)
    }

    /// The feed, the scheduler and the loader run side by side; the loader ends when the last
    /// file is in, and the scheduler when the feed has ended and nothing is left to start.
    private func process(_ feed: any FileFeed, roster: SupplierRoster, clock: RunClock, tally: SharedTally, seed: UInt64,
                         problems: @escaping @Sendable ([DiscoveryProblem]) -> Void) async throws -> [BreakerOpening] {
        let queue = BoundedQueue<LoaderItem>(capacity: queueRows, weight: \.weight)
        let loader = Loader(store: store, queue: queue, maxRowsPerCommit: maxRowsPerCommit, clock: clock, events: events)
        let settler = Settler(action: definition.settle.afterLoad, archiveRoot: definition.settle.archiveDirectory)
        // Loaded files waiting to be archived or deleted: a few groups' worth at most.
        let settles = BoundedQueue<SettleRequest>(capacity: 1_024)
        let settleStage = SettleStage(settler: settler, requests: settles, loader: queue, logger: logger) { job, problem in
            tally.update { $0.settleFailed(job.file.supplier, file: Int(job.id), problem: problem) }
            events.emit(.error(supplier: job.file.supplier, stage: "settle", kind: "settle_failed"))
        }
        let worker = FileWorker(definition: definition, plan: plan, readers: readers, queue: queue, clock: clock,
                                stop: stop, settleRequests: settler.action == .keep ? nil : settles, logger: logger,
                                validators: ProfiledValidators(definition), events: events, profileKeys: ProfileKeys(definition))
        let limits = definition.limits
        let limiter = Limiter(SchedulerStateMachine(
            suppliers: roster.limits, globalCap: limits.maxConcurrency, stagger: limits.stagger,
            spacing: limits.startSpacing, retry: definition.retry, breaker: definition.breaker, seed: seed))
        var shared = FileScheduler(limiter: limiter, worker: worker, stop: stop, clock: clock, events: events, logger: logger)
        if let claims {
            try await claims.join(roster.names.indices.map(roster.terms), globalCap: limits.maxConcurrency, stagger: limits.stagger)
            shared.claims = claims
            shared.terms = { roster.terms($0) }
        }
        let scheduler = shared
        // A few deliveries at most wait for the scheduler: a feed that lists faster than files load waits.
        let arrivals = BoundedQueue<Arrival>(capacity: 2)

        // Files a crash left loaded but not yet archived or deleted are settled first.
        let settleUnsettled: @Sendable ([FileJob]) async throws -> Void = { jobs in
            guard settler.action != .keep else { return }
            for job in jobs {
                let committed = CommitSignal()
                committed.succeed()
                try await settles.send(SettleRequest(job: job, committed: committed))
            }
        }
        let deliver: @Sendable (Discovery) async throws -> Void = { discovery in
            problems(discovery.problems)
            let (arrival, unsettled) = try await register(discovery, roster: roster, tally: tally, at: clock.timestamp())
            if discovery.files.count > registrationSlice { returnFreedMemory() }
            try await settleUnsettled(unsettled)
            try await arrivals.send(arrival)
        }

        // Leases are renewed until the last commit is in: the loader's included.
        let renewal = claims.map { claims in Task { await renewLeases(claims) } }
        defer { renewal?.cancel() }
        // Each stage finishes the queue of the next when it ends: feed, scheduler, settling, loader.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loader.run() }
            group.addTask {
                defer { queue.finish() }
                try await settleStage.run()
            }
            group.addTask {
                defer { settles.finish() }
                try await withThrowingTaskGroup(of: Void.self) { stages in
                    stages.addTask {
                        defer { arrivals.finish() }
                        do {
                            try await feed.run(stop: stop, logger: logger, deliver: deliver)
                        } catch is CancellationError where stop.isRequested {
                            return
                        }
                    }
                    stages.addTask {
                        try await scheduler.run(arrivals, handedOff: { supplier in
                            tally.update { $0.update(supplier) { $0.skipped += 1 } }
                        }, final: { result, file in tally.update { $0.add(result, file: file) } })
                    }
                    try await stages.waitForAll()
                }
            }
            do {
                try await group.waitForAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
        let suppliers = roster.names
        let openings = await limiter.breakerOpenings.map { opening in
            BreakerOpening(supplier: suppliers[opening.supplier], openedAt: clock.timestamp(opening.at),
                           until: clock.timestamp(opening.until))
        }
        for opening in openings {
            logger.warning("supplier paused after consecutive failures", metadata: [
                "supplier": "\(opening.supplier)", "pause.seconds": "\(opening.until - opening.openedAt)"])
        }
        return openings
    }
}

extension Pipeline {
    /// Renews this worker's leases every third of their time to live, until cancelled. A
    /// failed renewal is only a warning: the next one may succeed in time, and a lease that
    /// does expire costs the file's commit, which the store then refuses, never a row twice.
    func renewLeases(_ claims: any FileClaims) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: claims.leaseTTL / 3)
            guard !Task.isCancelled else { return }
            do {
                _ = try await claims.renew()
            } catch {
                logger.warning("could not renew this worker's leases", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Hands the memory the listing used and let go back to the system: otherwise the allocator
/// keeps it, and a run over many files carries the listing's peak to its end.
/// (`malloc_trim` is glibc's; it is looked up because Swift does not import `malloc.h`.)
private func returnFreedMemory() {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
}
