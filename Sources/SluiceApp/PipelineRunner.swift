import Foundation
import Logging
import ServiceLifecycle
import SluiceCSV
import SluiceCore
import SluiceObservability
import SluicePostgres
import SluiceSQLite

/// What `sluice run` can be asked to do besides the definition.
public struct RunOptions: Sendable {
    /// Print a progress line to standard error this often; nil for none.
    public var progressInterval: Duration?
    /// Standard error is a terminal: progress is a live display redrawn in place, not lines.
    public var liveDisplay = false
    public var logger: Logger
    /// Stops the run cleanly when requested (signal handlers request it).
    public var stop: StopRequest
    /// Read, parse, validate and transform everything, but store nothing (no checkpoints either).
    public var dryRun = false
    /// Who else hears the engine's events (metrics, for one).
    public var observers: [any EngineObserver] = []
    /// Services that run beside the pipeline in its `ServiceGroup` (the monitoring server),
    /// started before it and stopped after it.
    public var services: [any Service] = []
    /// Awaited before the pipeline starts, with the services running: the monitoring server is
    /// listening. When a service fails first, the pipeline never starts.
    public var beforeStart: @Sendable () async throws -> Void = {}
    /// Whether to wait for a store another run is writing, and how long.
    public var lockWait = LockWait.none
    /// Called once when the store is held by another run and this run starts to wait for it.
    public var onLockWait: @Sendable (_ store: String, _ holder: StoreHolder?) -> Void = { _, _ in }
    /// This worker's name among those sharing a PostgreSQL store.
    public var workerID = defaultWorkerID()

    public init(progressInterval: Duration? = nil, logger: Logger = Logger(label: "sluice"), stop: StopRequest = StopRequest()) {
        self.progressInterval = progressInterval
        self.logger = logger
        self.stop = stop
    }
}

/// Loads a pipeline file with overrides, and compiles its transforms.
/// - Throws: `DefinitionError`.
public func loadDefinition(path: String, overrides: [String] = []) throws -> (PipelineDefinition, OutputPlan) {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let definition = try DefinitionLoader.load(from: url, overrides: overrides)
    let plan = try definition.outputPlan()
    return (definition, plan)
}

/// Opens the store a definition names: SQLite (the default) or PostgreSQL.
/// - Throws: `StoreError`.
public func openStore(_ definition: PipelineDefinition, readOnly: Bool = false,
                      logger: Logger = Logger(label: "sluice")) throws -> any BlockingWarehouse {
    if let settings = definition.load.postgres {
        return try PostgresWarehouse(settings: settings, pipeline: definition.name, table: definition.load.table,
                                     readOnly: readOnly, leaseTTL: readOnly ? nil : definition.workers.leaseTTL, logger: logger)
    }
    return try openWarehouse(definition, readOnly: readOnly)
}

/// Opens the embedded SQLite store a definition names, for what only SQLite stores do (pruning).
/// - Throws: `StoreError`, also when the pipeline loads into PostgreSQL.
public func openWarehouse(_ definition: PipelineDefinition, readOnly: Bool = false) throws -> SQLiteWarehouse {
    if let settings = definition.load.postgres {
        throw StoreError("this command reads SQLite stores only for now; \(definition.name) loads into PostgreSQL (\(settings))")
    }
    return try SQLiteWarehouse(path: definition.load.database.path, pipeline: definition.name, table: definition.load.table,
                               readOnly: readOnly)
}

/// The lock that keeps a second run from writing the SQLite store a definition names.
/// (Workers sharing a PostgreSQL store claim files instead: see `PostgresFileClaims`.)
public func writerLock(for definition: PipelineDefinition) -> any WriterLock {
    SQLiteWriterLock(databasePath: definition.load.database.path)
}

/// A host name and this process's id: unique among the workers of one store.
public func defaultWorkerID() -> String {
    "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
}

/// The store a run writes, and how it shares it: a SQLite store's one writer holds its lock
/// for the run; on PostgreSQL each worker claims the files it loads instead.
struct WritableStore {
    let store: OffPoolWarehouse
    let claims: (any FileClaims)?
    let lock: (any WriterLock)?

    /// - Throws: `StoreBusy` when another run writes a SQLite store, `StoreError`.
    init(_ definition: PipelineDefinition, _ options: RunOptions) async throws {
        if let settings = definition.load.postgres {
            lock = nil
            // The store first: opening it applies the migrations the claims' tables come from.
            store = OffPoolWarehouse(try openStore(definition, logger: options.logger))
            claims = try PostgresFileClaims(settings: settings, pipeline: definition.name, worker: options.workerID,
                                            leaseTTL: definition.workers.leaseTTL, logger: options.logger)
        } else {
            let lock = try await takeWriterLock(definition, options)
            self.lock = lock
            claims = nil
            store = OffPoolWarehouse(try openStore(definition, logger: options.logger))
        }
    }

    func release() { lock?.release() }
}

/// Runs the pipeline once over every file available now: the function behind `sluice run`.
/// Holds a SQLite store's writer lock for the whole run, or shares a PostgreSQL store with
/// other workers (a dry run stores nothing and takes neither).
/// - Throws: `StoreBusy` when another run writes the store, `StoreError` when the store or sink
///   fails, `ReadError` when sources cannot be listed, `EndpointSetupError` when an endpoint's
///   credential is missing.
public func runPipeline(definition: PipelineDefinition, plan: OutputPlan, options: RunOptions = RunOptions()) async throws -> RunSummary {
    let sources = try SupplierSources(definition, logger: options.logger, stop: options.stop)
    return try await sources.closing(logger: options.logger) {
        if options.dryRun {
            return try await runOnce(definition, plan, sources: sources, store: OffPoolWarehouse(MemoryWarehouse()), claims: nil,
                                     options: options)
        }
        let writable = try await WritableStore(definition, options)
        defer { writable.release() }
        return try await runOnce(definition, plan, sources: sources, store: writable.store, claims: writable.claims, options: options)
    }
}

/// Takes the store's writer lock, waiting as the options say.
/// - Throws: `StoreBusy`, or `StoreError` when the lock cannot be tried.
func takeWriterLock(_ definition: PipelineDefinition, _ options: RunOptions) async throws -> any WriterLock {
    let lock = writerLock(for: definition)
    try await lock.acquire(as: .current(pipeline: definition.name), wait: options.lockWait, stop: options.stop) { holder in
        options.onLockWait(lock.store, holder)
    }
    return lock
}

/// One batch run into `store`, which the caller has the right to write.
private func runOnce(_ definition: PipelineDefinition, _ plan: OutputPlan, sources: SupplierSources,
                     store: any Warehouse, claims: (any FileClaims)?, options: RunOptions) async throws -> RunSummary {
    var pipeline = Pipeline(definition: definition, plan: plan, readers: sources.readers, store: store, logger: options.logger)
    pipeline.stop = options.stop
    pipeline.claims = claims
    let latencies = StageLatencies()
    let progress = Progress(options, mode: "run", pipeline: definition.name)
    pipeline.events = EngineEvents(options.observers + [latencies] + progress.observers)
    sources.report(to: pipeline.events)
    return try await keeping(latencies, in: store, logger: options.logger) {
        try await progress.showing { try await serve(pipeline, feed: ListingFeed(sources.listing), options: options) }
    }
}

/// Runs `body`, then records the run's latency percentiles per stage for `sluice report`
/// however it ended: a failed run's latencies are worth reading too. They describe the run
/// and are not part of its data, so failing to keep them is a warning.
func keeping<T>(_ latencies: StageLatencies, in store: any Warehouse, logger: Logger,
                _ body: () async throws -> T) async throws -> T {
    let result: Result<T, any Error>
    do { result = .success(try await body()) } catch { result = .failure(error) }
    if let runID = latencies.runID {
        do {
            try await store.recordStageLatencies(latencies.summary(), run: runID)
        } catch {
            logger.warning("could not keep the run's stage latencies", metadata: ["run.id": "\(runID)", "error": "\(error)"])
        }
    }
    return try result.get()
}

/// Files and rows per supplier from the store: the data behind `sluice status`.
/// - Throws: `StoreError`.
public func readStatus(_ definition: PipelineDefinition) throws -> [SupplierStatus] {
    let store = try openStore(definition, readOnly: true)
    var statuses = try store.status()
    // The files not registered yet are what the source holds beyond the store's records.
    guard let source = try? DirectorySource(definition: definition.source) else { return statuses }
    let registered = try store.registeredVersions()
    for (index, supplier) in source.suppliers.enumerated() {
        guard let listing = try? source.list(supplier: index) else { continue }
        let known = registered[supplier] ?? []
        let waiting = listing.files.count { !known.contains(ListedVersion(path: $0.relativePath, size: $0.size)) }
        if let position = statuses.firstIndex(where: { $0.supplier == supplier }) {
            statuses[position].waiting = waiting
        } else if waiting > 0 {
            var status = SupplierStatus(supplier: supplier)
            status.waiting = waiting
            statuses.append(status)
        }
    }
    return statuses.sorted { $0.supplier < $1.supplier }
}
