import Foundation
import Logging
import SluiceApp
import SluiceCSV
import SluiceCore
import Testing

/// A stream hands the same file over again when only its modification time changed; the copy
/// must neither run beside the original nor load its rows a second time.
@Suite struct RedeliveryTests {
    /// Delivers one listing, then the same listing again.
    struct TwiceFeed: FileFeed {
        let source: DirectorySource
        var suppliers: [String] { source.suppliers }

        func run(stop: StopRequest, logger: Logger, deliver: @escaping @Sendable (Discovery) async throws -> Void) async throws {
            let listing = try source.discover()
            try await deliver(listing)
            try await deliver(listing)
        }
    }

    @Test func aFileDeliveredTwiceWhileQueuedLoadsOnce() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 6, size: 6_000)
        let database = dir.path("staging.sqlite")
        // One file at a time: the second delivery finds every file still waiting or in flight.
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database,
                                              ["limits.max_concurrency=1"])
        let store = try openWarehouse(definition)
        var engine = Pipeline(definition: definition, plan: plan, readers: CSVReaderFactory(), store: OffPoolWarehouse(store),
                              logger: Logger(label: "test"))
        engine.queueRows = 64
        let summary = try await engine.run(TwiceFeed(source: try DirectorySource(definition: definition.source)))

        let clean = dir.path("clean.sqlite")
        let (cleanDefinition, _) = try pipeline(suppliers: dir.path("suppliers"), database: clean)
        _ = try await runPipeline(definition: cleanDefinition, plan: plan)
        #expect(try scalar(database, "SELECT COUNT(*) FROM staging_orders") == (try scalar(clean, "SELECT COUNT(*) FROM staging_orders")))
        let twice = try scalar(database, "SELECT COUNT(*) FROM (SELECT _file, _row FROM staging_orders GROUP BY _supplier, _file, _row HAVING COUNT(*) > 1)")
        #expect(twice == 0, "(file, row) pairs loaded twice")
        #expect(summary.total.rows.reconciles)
    }
}
