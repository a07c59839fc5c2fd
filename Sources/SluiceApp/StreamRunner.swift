import Logging
import ServiceLifecycle
import SluiceCore
import SluiceObservability
import UnixSignals

/// Watches the suppliers' directories and loads files as they become complete, until a
/// graceful shutdown: the function behind `sluice stream`. Holds a SQLite store's writer lock
/// throughout, or shares a PostgreSQL store with other workers; SIGTERM and SIGINT are a graceful shutdown bounded by `shutdownTimeout`.
/// - Throws: `StoreBusy` when another run writes the store, `StoreError` when the store
///   fails, `ReadError` when the source root cannot be listed.
public func streamPipeline(definition: PipelineDefinition, plan: OutputPlan, options: RunOptions,
                           shutdownTimeout: Duration = .seconds(30)) async throws -> RunSummary {
    let sources = try SupplierSources(definition, logger: options.logger, stop: options.stop)
    return try await sources.closing(logger: options.logger) {
        let writable = try await WritableStore(definition, options)
        defer { writable.release() }
        let store = writable.store
        var pipeline = Pipeline(definition: definition, plan: plan, readers: sources.readers, store: store, logger: options.logger)
        pipeline.stop = options.stop
        pipeline.claims = writable.claims
        let latencies = StageLatencies()
        let progress = Progress(options, mode: "stream", pipeline: definition.name)
        pipeline.events = EngineEvents(options.observers + [latencies] + progress.observers)
        let feed = sources.feed(watch: definition.source.watch, events: pipeline.events)
        sources.report(to: pipeline.events)
        return try await keeping(latencies, in: store, logger: options.logger) {
            try await progress.showing {
                try await serve(pipeline, feed: feed, options: options, shutdownTimeout: shutdownTimeout)
            }
        }
    }
}

/// Runs the pipeline over the feed as a service in a `ServiceGroup`, which turns SIGTERM and
/// SIGINT into a graceful shutdown (bounded by `shutdownTimeout` when given), and returns its
/// summary. Both `run` and `stream` live this way.
/// - Throws: what the pipeline throws.
func serve(_ pipeline: Pipeline, feed: any FileFeed, options: RunOptions, shutdownTimeout: Duration? = nil) async throws -> RunSummary {
    let service = PipelineService(pipeline: pipeline, feed: feed, beforeStart: options.beforeStart)
    // A batch's pipeline ends by itself once the feed has: that ends the group, and is no failure.
    let entry = ServiceGroupConfiguration.ServiceConfiguration(service: service, successTerminationBehavior: .gracefullyShutdownGroup)
    // The group stops its services last to first: the pipeline drains before the server goes.
    let services = options.services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
    var configuration = ServiceGroupConfiguration(services: services + [entry],
                                                  gracefulShutdownSignals: [.sigterm, .sigint], logger: options.logger)
    configuration.maximumGracefulShutdownDuration = shutdownTimeout
    try await ServiceGroup(configuration: configuration).run()
    guard let summary = service.summary else { throw StoreError("the pipeline ended without a summary") }
    return summary
}
