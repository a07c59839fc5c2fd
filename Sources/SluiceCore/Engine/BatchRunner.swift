import Foundation
import Logging

/// Runs a pipeline once over every file available now: discover, schedule, load, summarize.
///
/// The engine sees only protocols: where files come from, how they are parsed, and where
/// rows and checkpoints go are all handed in.
public struct BatchRunner: Sendable {
    public let definition: PipelineDefinition
    public let plan: OutputPlan
    public let source: any FileSource
    public let readers: any RecordReaderFactory
    public let store: any CheckpointStore
    public let sink: any Sink
    public var logger: Logger
    /// Rows (and quarantine entries) waiting for the loader at most; bounds memory between
    /// parse and load, and lets the loader gather a commit of many small files. Senders parked
    /// on a full queue hold a batch each, and the loader fills its commit from them too.
    public var queueRows = 8_192
    /// Rows per loader transaction at most.
    public var maxRowsPerCommit = 32_768
    /// Files registered per store transaction: a large listing's records are never all held at once.
    public var registrationSlice = 2_048
    /// Called after each commit with the batches it held (progress reporting).
    public var onCommit: @Sendable ([LoadBatch]) -> Void = { _ in }
    /// Set from a signal handler to stop cleanly.
    public var stop = StopRequest()

    public init(definition: PipelineDefinition, plan: OutputPlan, source: any FileSource,
                readers: any RecordReaderFactory, store: any CheckpointStore, sink: any Sink, logger: Logger) {
        self.definition = definition
        self.plan = plan
        self.source = source
        self.readers = readers
        self.store = store
        self.sink = sink
        self.logger = logger
    }

    /// Loads every pending file and returns the summary.
    /// - Throws: `StoreError` when the sink or store fails (the run stops: progress must persist),
    ///   `ReadError` when a supplier location cannot be listed.
    public func run() async throws -> RunSummary {
        let clockStart = ContinuousClock.now
        let clock = RunClock()
        try sink.prepare(columns: plan.columns)
        var tally = RunTally(suppliers: source.suppliers)
        let backlog = try takeBacklog(into: &tally, at: clock.timestamp())
        returnFreedMemory()
        let runID = try store.beginRun(at: clock.timestamp())
        logger.info("discovered files", metadata: [
            "pipeline.name": "\(definition.name)", "files.found": "\(backlog.found)", "files.pending": "\(backlog.jobs.count)"])

        let openings = try await process(backlog.jobs, filesBySupplier: backlog.filesBySupplier, unsettled: backlog.unsettled,
                                         clock: clock, into: &tally)
        for opening in openings { tally.update(opening.supplier) { $0.breakerOpenings += 1 } }
        let wall = (ContinuousClock.now - clockStart).inSeconds
        var summary = RunSummary(pipeline: definition.name, suppliers: tally.summaries, wallSeconds: wall,
                                 stoppedBySignal: stop.signal)
        summary.problems = backlog.problems.map(\.description) + tally.problems
        try store.finishRun(runID, at: clock.timestamp(), exitCode: summary.exitCode,
                            summary: "\(summary.total.rowsLoaded) loaded, \(summary.total.rowsQuarantined) quarantined",
                            breakerOpenings: openings)
        return summary
    }

    /// What this run has to do, from the listing and the store.
    private struct Backlog {
        var jobs: [FileJob] = []
        /// Loaded files a crash left before their settle action.
        var unsettled: [FileJob] = []
        /// Per supplier, the indices of its jobs.
        var filesBySupplier: [[Int]]
        var problems: [DiscoveryProblem]
        var found: Int
    }

    /// Lists and registers the files; what the run skips is counted in `tally` right away.
    /// The listing and the store's records are let go on return: only the jobs stay.
    private func takeBacklog(into tally: inout RunTally, at time: Double) throws -> Backlog {
        let discovery = try source.discover()
        var backlog = Backlog(filesBySupplier: Array(repeating: [], count: source.suppliers.count),
                              problems: discovery.problems, found: discovery.files.count)
        for problem in discovery.problems {
            logger.warning("a delivery was not taken", metadata: ["supplier": "\(problem.supplier)", "file": "\(problem.relativePath)", "reason": "\(problem.reason)"])
            tally.update(problem.supplier) { $0.filesFailed += 1 }
        }
        backlog.jobs.reserveCapacity(discovery.files.count)
        for start in stride(from: 0, to: discovery.files.count, by: registrationSlice) {
            let files = Array(discovery.files[start..<min(start + registrationSlice, discovery.files.count)])
            let records = try store.register(files, onChange: definition.source.onChange,
                                             onDuplicate: definition.source.onDuplicate, at: time)
            for (file, record) in zip(files, records) {
                guard let supplier = tally.index(of: file.supplier) else { continue }
                switch record.state {
                case .quarantined where record.registeredNow:
                    // A new version of a loaded file, rejected on sight (on_change: fail).
                    tally.update(file.supplier) { $0.files += 1; $0.filesQuarantined += 1 }
                case .done, .quarantined, .superseded, .empty, .duplicate, .ignored:
                    tally.update(file.supplier) { $0.skipped += 1 }
                    if record.state == .done && !record.settled { backlog.unsettled.append(FileJob(file: file, record: record)) }
                case .pending, .loading, .failed:
                    backlog.filesBySupplier[supplier].append(backlog.jobs.count)
                    backlog.jobs.append(FileJob(file: file, record: record))
                }
            }
        }
        return backlog
    }

    /// The loader and the scheduler run side by side; the loader ends when the last file is in.
    private func process(_ jobs: [FileJob], filesBySupplier: [[Int]], unsettled: [FileJob],
                         clock: RunClock, into tally: inout RunTally) async throws -> [BreakerOpening] {
        let queue = BoundedQueue<LoaderItem>(capacity: queueRows, weight: \.weight)
        let loader = Loader(sink: sink, queue: queue, maxRowsPerCommit: maxRowsPerCommit, clock: clock, onCommit: onCommit)
        let settler = Settler(action: definition.settle.afterLoad, archiveRoot: definition.settle.archiveDirectory)
        let worker = FileWorker(definition: definition, plan: plan, readers: readers, queue: queue, clock: clock,
                                stop: stop, settler: settler, logger: logger,
                                validators: definition.schema.columns.map(ColumnValidator.init))
        let limiter = Limiter(makeSchedulerStateMachine(jobs: jobs, filesBySupplier: filesBySupplier))
        let scheduler = FileScheduler(limiter: limiter, worker: worker, stop: stop, clock: clock)
        let suppliers = source.suppliers

        tally = try await withThrowingTaskGroup(of: RunTally?.self) { [tally] group in
            group.addTask {
                try await loader.run()
                return nil
            }
            group.addTask {
                defer { queue.finish() }
                // Files a crash left loaded but not yet archived or deleted are settled first.
                for job in unsettled { try await worker.settle(job) }
                var tally = tally
                try await scheduler.run(jobs) { result, file in tally.add(result, file: file) }
                return tally
            }
            var final = tally
            do {
                for try await case let part? in group { final = part }
            } catch {
                group.cancelAll()
                throw error
            }
            return final
        }
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

    /// The limits of the definition, per supplier, over the files to run.
    private func makeSchedulerStateMachine(jobs: [FileJob], filesBySupplier: [[Int]]) -> SchedulerStateMachine {
        let limits = definition.limits
        let names = source.suppliers
        var groupOf: [String: Int] = [:]
        for (index, group) in limits.groups.enumerated() {
            for name in group where groupOf[name] == nil { groupOf[name] = index }
        }
        var nextGroup = limits.groups.count, inGroup = 0
        for name in names where groupOf[name] == nil {
            groupOf[name] = nextGroup
            inGroup += 1
            if inGroup == limits.groupSize { nextGroup += 1; inGroup = 0 }
        }
        let supplierLimits = names.map { name in
            let declared = definition.source.suppliers.first { $0.name == name }
            let rate = declared?.rate ?? limits.rate
            return SchedulerStateMachine.SupplierLimits(
                cap: declared?.concurrency ?? limits.perSupplierConcurrency, group: groupOf[name]!,
                rate: rate.map { TokenBucket(rate: $0, burst: limits.burst) })
        }
        let ordered = filesBySupplier.map { indices in
            indices.sorted { a, b in
                let (x, y) = (jobs[a].file, jobs[b].file)
                switch limits.order {
                case .oldest: return (x.modified, x.relativePath) < (y.modified, y.relativePath)
                case .newest: return (x.modified, x.relativePath) > (y.modified, y.relativePath)
                case .name: return x.relativePath < y.relativePath
                }
            }
        }
        return SchedulerStateMachine(
            files: ordered, suppliers: supplierLimits, globalCap: limits.maxConcurrency, stagger: limits.stagger,
            spacing: limits.startSpacing, retry: definition.retry, breaker: definition.breaker,
            seed: UInt64(truncatingIfNeeded: jobs.count &* 7919))
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
