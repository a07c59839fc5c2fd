import Foundation
import Logging
import SluiceCSV
import SluiceCore
import SluiceSQLite

/// What `sluice run` can be asked to do besides the definition.
public struct RunOptions: Sendable {
    /// Print a progress line to standard error this often; nil for none.
    public var progressInterval: Duration?
    public var logger: Logger
    /// Stops the run cleanly when requested (signal handlers request it).
    public var stop: StopRequest
    /// Read, parse, validate and transform everything, but store nothing (no checkpoints either).
    public var dryRun = false

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
    let plan = try OutputPlan.compile(schema: definition.schema, steps: definition.transform)
    return (definition, plan)
}

/// Opens the embedded SQLite store and sink a definition names.
/// - Throws: `StoreError`.
public func openWarehouse(_ definition: PipelineDefinition, readOnly: Bool = false) throws -> SQLiteWarehouse {
    try SQLiteWarehouse(path: definition.load.database.path, pipeline: definition.name, table: definition.load.table,
                        readOnly: readOnly)
}

/// Runs the pipeline once over every file available now: the function behind `sluice run`.
/// - Throws: `StoreError` when the store or sink fails, `ReadError` when sources cannot be listed.
public func runPipeline(definition: PipelineDefinition, plan: OutputPlan, options: RunOptions = RunOptions()) async throws -> RunSummary {
    let source = try DirectorySource(definition: definition.source)
    let store: any CheckpointStore & Sink = options.dryRun ? MemoryWarehouse() : try openWarehouse(definition)
    var runner = BatchRunner(definition: definition, plan: plan, source: source, readers: CSVReaderFactory(),
                             store: store, sink: store, logger: options.logger)
    runner.stop = options.stop
    if let interval = options.progressInterval {
        let meter = ProgressMeter(interval: interval)
        runner.onCommit = { meter.record($0) }
    }
    return try await runner.run()
}

/// Files and rows per supplier from the store: the data behind `sluice status`.
/// - Throws: `StoreError`.
public func readStatus(_ definition: PipelineDefinition) throws -> [SupplierStatus] {
    try openWarehouse(definition, readOnly: true).status()
}
