import Logging
import ServiceLifecycle
import SluiceCore
import Synchronization

/// The pipeline as a `Service`: a graceful shutdown stops new files from starting, lets the
/// files in flight commit what they read, and returns once the loader has drained.
final class PipelineService: Service {
    private let pipeline: Pipeline
    private let feed: any FileFeed
    private let result = Mutex<RunSummary?>(nil)
    private let beforeStart: @Sendable () async throws -> Void

    init(pipeline: Pipeline, feed: any FileFeed, beforeStart: @escaping @Sendable () async throws -> Void = {}) {
        self.pipeline = pipeline
        self.feed = feed
        self.beforeStart = beforeStart
    }

    /// The summary once `run` has returned.
    var summary: RunSummary? { result.withLock { $0 } }

    func run() async throws {
        let stop = pipeline.stop
        try await beforeStart()
        let summary = try await withGracefulShutdownHandler {
            try await pipeline.run(feed)
        } onGracefulShutdown: {
            stop.requestShutdown()
        }
        result.withLock { $0 = summary }
    }
}
