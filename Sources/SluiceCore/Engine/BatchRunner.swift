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
        let discovery = try source.discover()
        let discovered = discovery.files
        let records = try store.register(discovered, onChange: definition.source.onChange,
                                         onDuplicate: definition.source.onDuplicate, at: clock.timestamp())
        let runID = try store.beginRun(at: clock.timestamp())

        var summaries = source.suppliers.map(SupplierSummary.init)
        let supplierIndex = Dictionary(uniqueKeysWithValues: source.suppliers.enumerated().map { ($1, $0) })
        for problem in discovery.problems {
            logger.warning("a delivery was not taken", metadata: ["supplier": "\(problem.supplier)", "file": "\(problem.relativePath)", "reason": "\(problem.reason)"])
            if let index = supplierIndex[problem.supplier] { summaries[index].filesFailed += 1 }
        }
        var jobs: [FileJob] = []
        var unsettled: [FileJob] = []
        var filesBySupplier = Array(repeating: [Int](), count: summaries.count)
        for (file, record) in zip(discovered, records) {
            guard let supplier = supplierIndex[file.supplier] else { continue }
            switch record.state {
            case .quarantined where record.registeredNow:
                // A new version of a loaded file, rejected on sight (on_change: fail).
                summaries[supplier].files += 1
                summaries[supplier].filesQuarantined += 1
            case .done, .quarantined, .superseded, .empty, .duplicate, .ignored:
                summaries[supplier].skipped += 1
                if record.state == .done && !record.settled { unsettled.append(FileJob(file: file, record: record)) }
            case .pending, .loading, .failed:
                filesBySupplier[supplier].append(jobs.count)
                jobs.append(FileJob(file: file, record: record))
            }
        }
        logger.info("discovered files", metadata: [
            "pipeline.name": "\(definition.name)", "files.found": "\(discovered.count)", "files.pending": "\(jobs.count)"])

        let (results, openings) = try await process(jobs, filesBySupplier: filesBySupplier, unsettled: unsettled, clock: clock)
        for opening in openings { summaries[supplierIndex[opening.supplier]!].breakerOpenings += 1 }
        var firstStart: [Double?] = Array(repeating: nil, count: summaries.count)
        var lastFinish: [Double] = Array(repeating: 0, count: summaries.count)
        for result in results {
            let index = supplierIndex[result.supplier]!
            summaries[index].files += 1
            summaries[index].rowsRead += result.rowsRead
            summaries[index].rowsLoaded += result.rowsLoaded
            summaries[index].rowsQuarantined += result.rowsQuarantined
            summaries[index].rowsFiltered += result.rowsFiltered
            switch result.completion {
            case .done, .empty: break
            case .quarantined, .damaged: summaries[index].filesQuarantined += 1
            case .failed, .rolledBack: summaries[index].filesFailed += 1
            }
            if result.interrupted { summaries[index].filesInterrupted += 1 }
            if result.settleProblem != nil { summaries[index].settleFailures += 1 }
            firstStart[index] = min(firstStart[index] ?? result.startedAt, result.startedAt)
            lastFinish[index] = max(lastFinish[index], result.finishedAt)
        }
        for index in summaries.indices {
            if let start = firstStart[index] { summaries[index].seconds = lastFinish[index] - start }
        }
        let wall = (ContinuousClock.now - clockStart).inSeconds
        var summary = RunSummary(pipeline: definition.name, suppliers: summaries, wallSeconds: wall,
                                 stoppedBySignal: stop.signal)
        summary.problems = discovery.problems.map(\.description) + results.compactMap(\.settleProblem)
            + results.compactMap { result in
                switch result.completion {
                case .done, .empty: nil
                case .quarantined(let reason), .failed(let reason), .rolledBack(let reason), .damaged(let reason): reason
                }
            }
        try store.finishRun(runID, at: clock.timestamp(), exitCode: summary.exitCode,
                            summary: "\(summary.total.rowsLoaded) loaded, \(summary.total.rowsQuarantined) quarantined",
                            breakerOpenings: openings)
        return summary
    }

    /// The loader and the scheduler run side by side; the loader ends when the last file is in.
    private func process(_ jobs: [FileJob], filesBySupplier: [[Int]], unsettled: [FileJob],
                         clock: RunClock) async throws -> ([FileResult], [BreakerOpening]) {
        let queue = BoundedQueue<LoaderItem>(capacity: queueRows, weight: \.weight)
        let loader = Loader(sink: sink, queue: queue, maxRowsPerCommit: maxRowsPerCommit, clock: clock, onCommit: onCommit)
        let settler = Settler(action: definition.settle.afterLoad, archiveRoot: definition.settle.archiveDirectory)
        let worker = FileWorker(definition: definition, plan: plan, readers: readers, queue: queue, clock: clock,
                                stop: stop, settler: settler, logger: logger,
                                validators: definition.schema.columns.map(ColumnValidator.init))
        let limiter = Limiter(makeSchedulerStateMachine(jobs: jobs, filesBySupplier: filesBySupplier))
        let scheduler = FileScheduler(limiter: limiter, worker: worker, stop: stop, clock: clock)
        let suppliers = source.suppliers

        let results = try await withThrowingTaskGroup(of: [FileResult].self) { group in
            group.addTask {
                try await loader.run()
                return []
            }
            group.addTask {
                defer { queue.finish() }
                // Files a crash left loaded but not yet archived or deleted are settled first.
                for job in unsettled { try await worker.settle(job) }
                return try await scheduler.run(jobs)
            }
            var results: [FileResult] = []
            do {
                for try await part in group { results += part }
            } catch {
                group.cancelAll()
                throw error
            }
            return results
        }
        let openings = await limiter.breakerOpenings.map { opening in
            BreakerOpening(supplier: suppliers[opening.supplier], openedAt: clock.timestamp(opening.at),
                           until: clock.timestamp(opening.until))
        }
        for opening in openings {
            logger.warning("supplier paused after consecutive failures", metadata: [
                "supplier": "\(opening.supplier)", "pause.seconds": "\(opening.until - opening.openedAt)"])
        }
        return (results, openings)
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
