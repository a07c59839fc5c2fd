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
    /// Ready batches waiting for the loader at most; bounds memory between parse and load.
    public var queueCapacity = 8
    /// Rows per loader transaction at most.
    public var maxRowsPerCommit = 65_536
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
        let discovered = try source.discover()
        let records = try store.register(discovered, onChange: definition.source.onChange, at: clock.timestamp())
        let runID = try store.beginRun(at: clock.timestamp())

        var summaries = source.suppliers.map(SupplierSummary.init)
        let supplierIndex = Dictionary(uniqueKeysWithValues: source.suppliers.enumerated().map { ($1, $0) })
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
            case .done, .quarantined, .superseded:
                summaries[supplier].skipped += 1
                if record.state == .done && !record.settled { unsettled.append(FileJob(file: file, record: record)) }
            case .pending, .loading, .failed:
                filesBySupplier[supplier].append(jobs.count)
                jobs.append(FileJob(file: file, record: record))
            }
        }
        logger.info("discovered files", metadata: [
            "pipeline.name": "\(definition.name)", "files.found": "\(discovered.count)", "files.pending": "\(jobs.count)"])

        let results = try await process(jobs, filesBySupplier: filesBySupplier, unsettled: unsettled, clock: clock)
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
            case .done: break
            case .quarantined: summaries[index].filesQuarantined += 1
            case .failed, .rolledBack: summaries[index].filesFailed += 1
            }
            if result.interrupted { summaries[index].filesInterrupted += 1 }
            firstStart[index] = min(firstStart[index] ?? result.startedAt, result.startedAt)
            lastFinish[index] = max(lastFinish[index], result.finishedAt)
        }
        for index in summaries.indices {
            if let start = firstStart[index] { summaries[index].seconds = lastFinish[index] - start }
        }
        let wall = (ContinuousClock.now - clockStart).inSeconds
        let summary = RunSummary(pipeline: definition.name, suppliers: summaries, wallSeconds: wall,
                                 stoppedBySignal: stop.signal)
        try store.finishRun(runID, at: clock.timestamp(), exitCode: summary.exitCode,
                            summary: "\(summary.total.rowsLoaded) loaded, \(summary.total.rowsQuarantined) quarantined")
        return summary
    }

    private enum Event: Sendable {
        case file(supplier: Int, FileResult)
        case timer
        case loaderFinished
    }

    /// The loader and the scheduler run side by side; the loader ends when the last file is in.
    private func process(_ jobs: [FileJob], filesBySupplier: [[Int]], unsettled: [FileJob],
                         clock: RunClock) async throws -> [FileResult] {
        let queue = BoundedQueue<LoaderItem>(capacity: queueCapacity)
        let loader = Loader(sink: sink, queue: queue, maxRowsPerCommit: maxRowsPerCommit, clock: clock, onCommit: onCommit)
        let settler = Settler(action: definition.settle.afterLoad, archiveRoot: definition.settle.archiveDirectory)
        let worker = FileWorker(definition: definition, plan: plan, readers: readers, queue: queue, clock: clock,
                                stop: stop, settler: settler, logger: logger)
        let caps = source.suppliers.map { name in
            definition.source.suppliers.first { $0.name == name }?.concurrency ?? definition.limits.perSupplierConcurrency
        }
        let scheduler = SchedulerStateMachine(
            files: filesBySupplier, caps: caps, globalCap: definition.limits.maxConcurrency,
            groupSize: definition.limits.groupSize, stagger: definition.limits.stagger)

        return try await withThrowingTaskGroup(of: [FileResult].self) { group in
            group.addTask {
                try await loader.run()
                return []
            }
            group.addTask {
                defer { queue.finish() }
                // Files a crash left loaded but not yet archived or deleted are settled first.
                for job in unsettled {
                    let done = FileResult(supplier: job.file.supplier, completion: .done, startedAt: 0)
                    try await worker.settle(job, done)
                }
                return try await schedule(jobs, scheduler: scheduler, worker: worker, clock: clock)
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
    }

    /// Starts files as the scheduler allows and collects their results.
    private func schedule(_ jobs: [FileJob], scheduler initial: SchedulerStateMachine,
                          worker: FileWorker, clock: RunClock) async throws -> [FileResult] {
        var scheduler = initial
        var results: [FileResult] = []
        try await withThrowingTaskGroup(of: Event.self) { group in
            var timerArmed = false
            func handle(_ event: Event) {
                switch event {
                case .file(let supplier, let result):
                    scheduler.finished(supplier: supplier)
                    results.append(result)
                case .timer:
                    timerArmed = false
                case .loaderFinished:
                    break
                }
            }
            loop: while !stop.isRequested {
                let now = ContinuousClock.now
                switch scheduler.next(now: now) {
                case .start(let index, let supplier):
                    let job = jobs[index]
                    let startedAt = clock.timestamp(now)
                    group.addTask { .file(supplier: supplier, try await worker.run(job, startedAt: startedAt)) }
                case .wait(let until):
                    if let until, !timerArmed {
                        timerArmed = true
                        group.addTask {
                            try? await Task.sleep(until: until, clock: .continuous)
                            return .timer
                        }
                    }
                    guard let event = try await group.next() else { break loop }
                    handle(event)
                case .drained:
                    break loop
                }
            }
            for try await event in group { handle(event) }
        }
        return results
    }
}
