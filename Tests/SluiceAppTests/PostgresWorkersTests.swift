import Foundation
import SluiceCore
@testable import SluicePostgres
import Testing

/// Several `sluice` workers on one PostgreSQL store, through the built binary against a
/// throwaway server: caps that hold across workers, a killed worker's files taken over, a
/// paused one fenced off, workers started and killed at random, and two streams sharing arrivals.
@Suite struct PostgresWorkersTests: PostgresScenarioTests {
    /// A short lease, so that a dead worker's files come back within the test.
    static let shortLease = "workers.lease_ttl=2s"

    func worker(_ name: String, _ dir: TemporaryDirectory, _ server: PostgresServer, _ extra: [String] = [],
                command: String = "run") throws -> StartedBinary {
        try startBinary(in: dir, arguments(command, dir, server, extra) + ["--worker-id", name])
    }

    /// Files per worker that loaded them.
    func filesByWorker(_ server: PostgresServer) throws -> [String: Int] {
        try rows(server, "SELECT worker, count(*) FROM sluice_files WHERE state <> 'pending' GROUP BY worker")
            .reduce(into: [:]) { $0[$1[0] ?? "none"] = Int($1[1] ?? "0") }
    }

    /// The most files each supplier had open (slot granted to read end) at one instant, and the
    /// most over all suppliers, from what every worker recorded.
    func mostOpen(_ server: PostgresServer) throws -> (perSupplier: Int, overall: Int) {
        let timings = try rows(server, """
            SELECT supplier, started_at, finished_at FROM sluice_files WHERE started_at IS NOT NULL AND finished_at IS NOT NULL
            """).map { (supplier: $0[0]!, start: Double($0[1]!)!, end: Double($0[2]!)!) }
        let perSupplier = Dictionary(grouping: timings, by: \.supplier).values
            .map { mostAtOnce($0.map { ($0.start, $0.end) }) }.max() ?? 0
        return (perSupplier, mostAtOnce(timings.map { ($0.start, $0.end) }))
    }

    @Test func threeWorkersLoadEveryFileOnceWithinOneCapAcrossThem() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 20, files: 6, size: 40_000, gzip: 0.2, invalid: 0.02)
        // Many files per supplier and no pipeline-wide limit to speak of: only the supplier cap
        // keeps each supplier at 3, where three workers on their own would open 9.
        let settings = ["limits.per_supplier_concurrency=3", "limits.max_concurrency=60", "source.batch_rows=128"]
        let workers = try ["a", "b", "c"].map { try worker($0, dir, server, settings) }
        for result in workers.map({ $0.finish() }) {
            #expect(result.status == 0 || result.status == 3, "worker exit: \(result.stderr)")
        }
        _ = try runBinary(sqliteArguments(dir, settings))
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
        let open = try mostOpen(server)
        #expect(open.perSupplier <= 3, "a supplier had \(open.perSupplier) files open at once across workers")
        #expect(open.overall > 3, "the workers did run side by side")
        let spread = try filesByWorker(server)
        #expect(Set(spread.keys) == ["a", "b", "c"], "every worker loaded files: \(spread)")
        // Every lease and slot went back when its file was done.
        #expect(try rows(server, "SELECT count(*) FROM sluice_files WHERE lease_owner IS NOT NULL").first?.first == "0")
        #expect(try rows(server, "SELECT count(*) FROM sluice_slots WHERE lease_owner IS NOT NULL").first?.first == "0")
    }

    @Test func theGlobalCapHoldsAcrossWorkers() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 6, files: 5, size: 12_000, gzip: 0)
        let settings = ["limits.per_supplier_concurrency=3", "limits.max_concurrency=2", "source.batch_rows=128"]
        let workers = try ["a", "b", "c"].map { try worker($0, dir, server, settings) }
        for result in workers.map({ $0.finish() }) { #expect(result.status == 0, "worker exit: \(result.stderr)") }
        let open = try mostOpen(server)
        #expect(open.overall <= 2, "\(open.overall) files were open at once over every worker, above max_concurrency 2")
        #expect(try rows(server, "SELECT count(*) FROM sluice_files WHERE state = 'done'").first?.first == "30")
    }

    @Test func aKilledWorkersFileIsTakenOverOnceItsLeaseExpires() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 3, size: 150_000, gzip: 0)
        let settings = [Self.shortLease, "source.batch_rows=64", "limits.max_concurrency=2"]
        let doomed = try worker("doomed", dir, server, settings)
        // Killed while it holds a file it has committed part of.
        expectPartwayIntoAFile(doomed, named: "doomed", server)
        kill(doomed.pid, SIGKILL)
        _ = doomed.finish()
        let held = try rows(server, "SELECT id FROM sluice_files WHERE lease_owner = 'doomed'").compactMap { $0[0] }
        // A failed look ends the test here: indexing an empty list would take every suite down with it.
        try #require(!held.isEmpty)
        // Until its lease runs out, `sluice status` names the dead worker's file.
        let status = try runBinary(arguments("status", dir, server))
        #expect(status.stdout.contains("doomed  file \(held[0]) ") && status.stdout.contains("lease expires in"),
                "status: \(status.stdout)")
        let survivor = try worker("survivor", dir, server, settings).finish()
        #expect(survivor.status == 0, "stderr: \(survivor.stderr)")
        for id in held {
            #expect(try rows(server, "SELECT worker, state FROM sluice_files WHERE id = \(id)").first == ["survivor", "done"],
                    "file \(id) was taken over and finished")
        }
        _ = try runBinary(sqliteArguments(dir, settings))
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
    }

    @Test func aPausedWorkerPastItsLeaseCommitsNothing() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 3, size: 600_000, gzip: 0)
        let settings = [Self.shortLease, "source.batch_rows=64", "limits.max_concurrency=1"]
        let zombie = try worker("zombie", dir, server, settings)
        expectPartwayIntoAFile(zombie, named: "zombie", server)
        // Paused between two commits, not inside one: its next commits then reach the server.
        try pauseOutsideATransaction(zombie, named: "zombie", server)
        let taken = try rows(server, "SELECT id, rows_loaded FROM sluice_files WHERE lease_owner = 'zombie'")
        let id = try #require(taken.first?[0]), loadedByZombie = try #require(taken.first?[1])
        // Another worker takes the file over once the lease runs out and commits past the
        // zombie's rows (it may finish the file between two looks); the zombie then wakes with
        // batches of its own still to commit.
        let other = try worker("other", dir, server, settings)
        let takenOver = eventually(seconds: 120) {
            try rows(server, "SELECT worker, rows_loaded > \(loadedByZombie) FROM sluice_files WHERE id = \(id)").first == ["other", "t"]
        }
        #expect(takenOver, "the other worker did not take the file over: \(other.errorsSoFar)")
        kill(zombie.pid, SIGCONT)
        let late = zombie.finish()
        #expect(late.status == 0 && late.stderr.contains("last commit was refused"),
                "the zombie's commits were refused: \(late.status) \(late.stderr)")
        #expect(other.finish().status == 0)
        #expect(try rows(server, "SELECT worker, state FROM sluice_files WHERE id = \(id)").first == ["other", "done"])
        _ = try runBinary(sqliteArguments(dir, settings))
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
    }

    /// Waits until the worker holds a file it has committed part of.
    func expectPartwayIntoAFile(_ worker: StartedBinary, named name: String, _ server: PostgresServer,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let partway = eventually(seconds: 120) {
            try rows(server, "SELECT count(*) FROM sluice_files WHERE lease_owner = '\(name)' AND rows_loaded > 0").first?.first != "0"
        }
        #expect(partway, "the worker never got partway into a file: \(worker.errorsSoFar)", sourceLocation: sourceLocation)
    }

    /// Stops the worker (the only one running) with SIGSTOP partway into a file, while its store
    /// connection has no transaction open: looks until it is idle, stops it, and lets it go on when the stop
    /// came a moment too late.
    func pauseOutsideATransaction(_ worker: StartedBinary, named name: String, _ server: PostgresServer) throws {
        let idle = """
            SELECT count(*) FILTER (WHERE state = 'idle') = 1 AND count(*) = 1
                AND EXISTS (SELECT 1 FROM sluice_files WHERE lease_owner = '\(name)' AND rows_loaded > 0)
            FROM pg_stat_activity WHERE application_name = 'sluice' AND pid <> pg_backend_pid()
            """
        for _ in 0..<400 {
            if try rows(server, idle).first?.first == "t" {
                kill(worker.pid, SIGSTOP)
                usleep(100_000)
                if try rows(server, idle).first?.first == "t" { return }
                kill(worker.pid, SIGCONT)
            }
            usleep(UInt32.random(in: 5_000...50_000))
        }
        Issue.record("the worker was inside a transaction at every look")
    }

    /// A worker paused inside a commit holds its files' rows locked, and no other worker could
    /// take them over: its store session asks the server to end it once idle in a transaction
    /// for as long as a lease lasts (10 s at least).
    @Test func aWorkersStoreSessionEndsWhenIdleInATransactionPastTheLease() throws {
        let server = try PostgresServer()
        let settings = PostgresSettings(host: server.socketFolder, database: "postgres", user: "postgres")
        let store = try PostgresWarehouse(settings: settings, pipeline: "p", table: "t", leaseTTL: .seconds(45))
        #expect(try store.connection.query("SHOW idle_in_transaction_session_timeout").string(0, 0) == "45s")
        let short = try PostgresWarehouse(settings: settings, pipeline: "p", table: "t", leaseTTL: .seconds(2))
        #expect(try short.connection.query("SHOW idle_in_transaction_session_timeout").string(0, 0) == "10s")
        let reader = try PostgresWarehouse(settings: settings, pipeline: "p", table: "t", readOnly: true)
        #expect(try reader.connection.query("SHOW idle_in_transaction_session_timeout").string(0, 0) == "0")
    }

    /// Workers start and die at random while a scenario loads; a last one finishes. For every
    /// seed: no supplier ever had more than its cap open, and every file loaded exactly once.
    @Test(arguments: [UInt64(7), 19])
    func capsHoldAndEveryFileLoadsOnceUnderChurn(seed: UInt64) throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 8, size: 40_000, gzip: 0.25, invalid: 0.02)
        let settings = [Self.shortLease, "limits.per_supplier_concurrency=2", "limits.max_concurrency=20", "source.batch_rows=64"]
        var random = SplitMix64(seed: seed)
        var running: [StartedBinary] = []
        for step in 0..<8 {
            if running.count < 3 || random.next() % 3 == 0 {
                running.append(try worker("w\(seed)-\(step)", dir, server, settings))
            }
            usleep(UInt32(200_000 + random.next() % 800_000))
            if random.next() % 2 == 0, !running.isEmpty {
                let victim = running.remove(at: Int(random.next() % UInt64(running.count)))
                kill(victim.pid, SIGKILL)
                _ = victim.finish()
            }
        }
        for survivor in running { _ = survivor.finish() }
        let last = try worker("last", dir, server, settings).finish()
        #expect(last.status == 0 || last.status == 3, "stderr: \(last.stderr)")
        let open = try mostOpen(server)
        #expect(open.perSupplier <= 2, "seed \(seed): a supplier had \(open.perSupplier) files open at once")
        _ = try runBinary(sqliteArguments(dir, settings))
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
    }

    @Test func twoStreamsShareArrivalsAndLoadEachOnce() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        let staging = try TemporaryDirectory()
        _ = try generateScenario(into: staging.url, suppliers: 4, files: 6, size: 12_000, gzip: 0.2)
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("suppliers"), withIntermediateDirectories: true)
        let settings = ["source.min_age=300ms", "source.poll_interval=100ms", "settle.after_load=keep", "schema.max_invalid_ratio=1",
                        "source.batch_rows=128", "limits.max_concurrency=60"]
        let streams = try ["left", "right"].map { name in
            try startBinary(in: dir, arguments("stream", dir, server, settings)
                + ["--worker-id", name, "--progress", "0", "--metrics-address", "127.0.0.1:0"])
        }
        // Files arrive while both watch, a supplier folder at a time.
        for supplier in try FileManager.default.contentsOfDirectory(atPath: staging.path("suppliers")).sorted() {
            try FileManager.default.moveItem(atPath: staging.path("suppliers/\(supplier)"), toPath: dir.path("suppliers/\(supplier)"))
            usleep(300_000)
        }
        let allIn = eventually(seconds: 180) {
            try rows(server, "SELECT count(*) FROM sluice_files WHERE state IN ('done', 'quarantined')").first?.first == "24"
        }
        #expect(allIn, "the streams did not load every arrival: \(streams.map(\.errorsSoFar))")
        for stream in streams {
            kill(stream.pid, SIGTERM)
            let result = stream.finish()
            #expect(result.status == 0, "stream exit: \(result.stderr)")
        }
        let spread = try filesByWorker(server)
        #expect(Set(spread.keys) == ["left", "right"], "arrivals were split between the streams: \(spread)")
        _ = try runBinary(sqliteArguments(dir, settings))
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
    }
}
