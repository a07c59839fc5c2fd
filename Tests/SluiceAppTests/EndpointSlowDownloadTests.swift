import Foundation
import SluiceCore
import Testing

/// A server that trickles a download's bytes holds a slot, and the run, no longer than the
/// rate floor allows: the attempt fails like a broken download and is retried.
@Suite(.serialized) struct EndpointSlowDownloadTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    @Test func aTrickledDownloadFailsItsAttemptAndTheRetryLoadsTheFile() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 1, gzip: 0)
        let suppliers = dir.path("suppliers")
        // 20 bytes a second: each 6 KB file's first download would take five minutes.
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--trickle-bytes-per-second", "20"])
        let database = dir.path("trickled.sqlite")
        let file = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database)
        let settings = ["schema.max_invalid_ratio=1", "source.min_bytes_per_second=1KiB", "source.min_rate_window=1s",
                        "retry.initial_delay=10ms", "retry.max_delay=100ms", "breaker=off"]
        let run = try startBinary(in: dir, ["run", file, "--progress", "0"] + settings.flatMap { ["--set", $0] })
        let result = try #require(run.finish(within: 120), "the trickled downloads held the run")
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let downloads = Dictionary(grouping: simulator.downloadRequests, by: \.path).mapValues(\.count)
        #expect(downloads.count == 2 && downloads.values.allSatisfy { $0 == 2 }, "one trickled attempt and one retry per file: \(downloads)")
        let local = dir.path("local.sqlite")
        let (definition, plan) = try pipeline(suppliers: suppliers, database: local)
        _ = try await runBatch(definition, plan)
        let sql = "select \(stagingColumns) from staging_orders"
        #expect(try TableFingerprint(database: database, sql: sql) == TableFingerprint(database: local, sql: sql))
    }
}
