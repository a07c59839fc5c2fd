import Foundation
import SluiceApp
import SluiceCore
import SluiceSQLite
import Testing

/// One run writes a store at a time: overlapping runs exit 75 naming the holder, `--wait` queues,
/// a killed holder leaves no lock behind, and readers never need the lock.
@Suite(.serialized) struct StoreLockTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 50, size: 2_000, gzip: 0.2, invalid: 0.02)
    }

    /// `sluice run` on the scenario; `slow` spaces each supplier's starts so a run lasts a few seconds.
    func runArguments(database: String, slow: Bool = false, _ extra: [String] = []) -> [String] {
        ["run", referencePipeline, "--progress", "0",
         "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(database)",
         "--set", "schema.max_invalid_ratio=1"]
            + (slow ? ["--set", "limits.start_spacing=40ms"] : []) + extra
    }

    /// The holder named in a store's lock file.
    func holder(of database: String) -> StoreHolder? {
        (try? String(contentsOfFile: database + "-lock", encoding: .utf8)).flatMap(StoreHolder.init(text:))
    }

    func cleanRun() throws -> String {
        let clean = dir.path("clean.sqlite")
        let run = try runBinary(runArguments(database: clean))
        #expect(run.status == 0, "clean run: \(run.stderr)")
        return clean
    }

    func expectSameStaging(_ clean: String, _ other: String) throws {
        let sql = "SELECT \(stagingColumns) FROM staging_orders"
        let expected = try TableFingerprint(database: clean, sql: sql)
        #expect(expected.rows > 0)
        #expect(try TableFingerprint(database: other, sql: sql) == expected)
        let twice = try scalar(other, "SELECT COUNT(*) FROM (SELECT _supplier, _file, _row FROM staging_orders GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)")
        #expect(twice == 0, "(file, row) pairs loaded twice")
    }

    @Test func threeRunsAtOnceLoadOnce() throws {
        let clean = try cleanRun()
        let database = dir.path("db.sqlite")
        let runs = try (0..<3).map { _ in try startBinary(in: dir, runArguments(database: database, slow: true)) }
        let results = runs.map { $0.finish() }
        let winners = results.indices.filter { results[$0].status == 0 }
        #expect(winners.count == 1, "statuses \(results.map(\.status)); stderr \(results.map(\.stderr))")
        #expect(results.filter { $0.status == 75 }.count == 2)
        if let winner = winners.first {
            let pid = runs[winner].process.processIdentifier
            for result in results where result.status == 75 {
                #expect(result.stderr.contains("the store \(database) is held by another run: pid \(pid) on \(ProcessInfo.processInfo.hostName)"),
                        "\(result.stderr)")
                #expect(result.stderr.contains("nothing was loaded"))
                #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            }
        }
        try expectSameStaging(clean, database)
    }

    @Test func aKilledHolderLeavesNoLockAndTheNextRunResumes() throws {
        let clean = try cleanRun()
        let database = dir.path("db.sqlite")
        let holder = try startBinary(in: dir, runArguments(database: database, slow: true))
        let loading = eventually {
            try scalar(database, "SELECT COUNT(*) FROM sluice_files WHERE state = 'done'") > 0
        }
        #expect(loading, "the run never committed a file")
        #expect(self.holder(of: database)?.pid == holder.process.processIdentifier)
        kill(holder.process.processIdentifier, SIGKILL)
        let killed = holder.finish()
        #expect(holder.process.terminationReason == .uncaughtSignal, "status \(killed.status)")
        let pending = try scalar(database, "SELECT COUNT(*) FROM sluice_files WHERE state <> 'done'")
        #expect(pending > 0, "the kill came after the run finished")

        let next = try runBinary(runArguments(database: database))
        #expect(next.status == 0, "\(next.stderr)")
        try expectSameStaging(clean, database)
    }

    @Test func waitQueuesBehindTheHolderThenLoadsNothingNew() throws {
        let clean = try cleanRun()
        let database = dir.path("db.sqlite")
        let holder = try startBinary(in: dir, runArguments(database: database, slow: true))
        #expect(eventually { self.holder(of: database)?.pid == holder.process.processIdentifier })
        let waiter = try startBinary(in: dir, runArguments(database: database, ["--wait"]))
        let waiting = eventually {
            try String(contentsOf: waiter.stderr, encoding: .utf8).contains("waiting for the store \(database): held by pid \(holder.process.processIdentifier)")
        }
        #expect(waiting, "the second run did not report that it waits")
        let first = holder.finish(), second = waiter.finish()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("loaded 0 rows into staging_orders"), "\(second.stdout)")
        try expectSameStaging(clean, database)
    }

    @Test func waitTimeoutGivesUpWithSeventyFiveAndTouchesNothing() throws {
        let database = dir.path("db.sqlite")
        let lock = SQLiteWriterLock(databasePath: database)
        #expect(try lock.tryAcquire(as: .current(pipeline: "night-holder")) == .acquired)
        defer { lock.release() }
        let run = try runBinary(runArguments(database: database, ["--wait-timeout", "300ms"]))
        #expect(run.status == 75)
        #expect(run.stderr.contains("held by another run: pid \(getpid())"), "\(run.stderr)")
        #expect(run.stderr.contains("pipeline night-holder"))
        #expect(run.stderr.contains("after waiting"))
        #expect(!FileManager.default.fileExists(atPath: database), "a run that did not get the lock opened the store")
    }

    @Test func readersWorkWhileARunHoldsTheStore() throws {
        let database = dir.path("db.sqlite")
        #expect(try runBinary(runArguments(database: database)).status == 0)
        let lock = SQLiteWriterLock(databasePath: database)
        #expect(try lock.tryAcquire(as: .current(pipeline: "holder")) == .acquired)
        defer { lock.release() }
        let settings = ["--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(database)"]
        for command in [["status"], ["report", "--timeline"], ["quarantine", "list"], ["check"]] {
            let result = try runBinary(command + [referencePipeline] + settings)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        #expect(try runBinary(runArguments(database: database)).status == 75)
    }

    @Test func aBadWaitTimeoutIsAUsageError() throws {
        let run = try runBinary(runArguments(database: dir.path("db.sqlite"), ["--wait-timeout", "soon"]))
        #expect(run.status == 64)
        #expect(run.stderr.contains("--wait-timeout soon is not a duration"))
    }

    // MARK: The lock itself

    @Test func theLockNamesItsHolderAndFreesOnRelease() throws {
        let database = dir.path("db.sqlite")
        let first = SQLiteWriterLock(databasePath: database), second = SQLiteWriterLock(databasePath: database)
        let me = StoreHolder(pid: getpid(), host: "host-a", startedAt: 1_700_000_000.25, pipeline: "nightly")
        #expect(try first.tryAcquire(as: me) == .acquired)
        #expect(try second.tryAcquire(as: .current(pipeline: "other")) == .held(by: me))
        first.release()
        #expect(try second.tryAcquire(as: .current(pipeline: "other")) == .acquired)
        #expect(try first.tryAcquire(as: me) != .acquired)
        second.release()
    }

    @Test(.timeLimit(.minutes(10)))
    func aLockFileThatIsALinkOrAFIFOIsRefusedAndWhatItLeadsToIsUntouched() throws {
        let database = dir.path("db.sqlite")
        let victim = dir.path("precious.txt")
        try "keep me".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: database + "-lock", withDestinationPath: victim)
        #expect(throws: StoreError.self) { try SQLiteWriterLock(databasePath: database).tryAcquire(as: .current(pipeline: "p")) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me", "the link's target was truncated")

        let other = dir.path("other.sqlite")
        #expect(mkfifo(other + "-lock", 0o644) == 0)
        let error = try #require(throws: StoreError.self) { try SQLiteWriterLock(databasePath: other).tryAcquire(as: .current(pipeline: "p")) }
        #expect(error.description.contains("not a regular file"))
    }

    @Test func aWaitEndsAtItsLimitOrOnAStopRequest() async throws {
        let database = dir.path("db.sqlite")
        let holder = SQLiteWriterLock(databasePath: database)
        #expect(try holder.tryAcquire(as: .current(pipeline: "holder")) == .acquired)
        defer { holder.release() }
        let waiter = SQLiteWriterLock(databasePath: database)
        var waitedFor: [StoreHolder?] = []
        await #expect(throws: StoreBusy.self) {
            try await waiter.acquire(as: .current(pipeline: "waiter"), wait: .atMost(.milliseconds(150)),
                                     poll: .milliseconds(20)) { waitedFor.append($0) }
        }
        #expect(waitedFor.map { $0?.pipeline } == ["holder"], "told once who it waits for")
        let stop = StopRequest()
        stop.request(signal: SIGINT)
        do {
            try await waiter.acquire(as: .current(pipeline: "waiter"), wait: .forever, stop: stop)
            Issue.record("acquired a held lock")
        } catch let busy as StoreBusy {
            #expect(busy.stoppedBySignal == SIGINT)
        }
    }

    @Test func theHolderTextRoundTrips() {
        let holder = StoreHolder(pid: 42, host: "db-1.example", startedAt: 1_764_669_600.5, pipeline: "supplier-nightly")
        #expect(StoreHolder(text: holder.text) == holder)
        #expect(StoreHolder(text: "pid 42\nhost x\n") == nil, "a holder still writing its name")
        #expect(holder.description == "pid 42 on db-1.example (pipeline supplier-nightly) since 2025-12-02T10:00:00Z")
    }
}
