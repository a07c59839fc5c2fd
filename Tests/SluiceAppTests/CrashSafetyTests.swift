import Foundation
import SluiceCore
import SluiceSample
import Testing

/// Crash safety, tested by crashing: SIGKILL at random moments, resume, compare with a clean run.
@Suite(.serialized) struct CrashSafetyTests {
    func runArguments(_ dir: TemporaryDirectory, database: String, _ extra: [String] = []) -> [String] {
        ["run", referencePipeline, "--progress", "0",
         "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(database)",
         "--set", "source.batch_rows=16", "--set", "schema.max_invalid_ratio=0.1"] + extra.flatMap { ["--set", $0] }
    }

    func startBinary(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent(".build/debug/sluice")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func expectSameTables(_ clean: String, _ resumed: String) throws {
        let cleanRows = try TableFingerprint(database: clean, sql: "SELECT \(stagingColumns) FROM staging_orders")
        let resumedRows = try TableFingerprint(database: resumed, sql: "SELECT \(stagingColumns) FROM staging_orders")
        #expect(cleanRows.rows > 0)
        #expect(resumedRows == cleanRows, "staging: resumed \(resumedRows) vs clean \(cleanRows)")
        let cleanQuarantine = try TableFingerprint(database: clean, sql: "SELECT \(quarantineColumns) FROM sluice_quarantine")
        let resumedQuarantine = try TableFingerprint(database: resumed, sql: "SELECT \(quarantineColumns) FROM sluice_quarantine")
        #expect(resumedQuarantine == cleanQuarantine, "quarantine: resumed \(resumedQuarantine) vs clean \(cleanQuarantine)")
        let twice = try scalar(resumed, "SELECT COUNT(*) FROM (SELECT _supplier, _file, _row FROM staging_orders GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)")
        #expect(twice == 0, "rows loaded twice")
        let states = "SELECT supplier, path, state, rows_read, rows_loaded, rows_quarantined FROM sluice_files"
        #expect(try TableFingerprint(database: resumed, sql: states) == TableFingerprint(database: clean, sql: states))
    }

    /// Kills a run at random moments until it finishes by itself, then compares it with the clean run.
    /// Rounds start again from an empty store until 20 kills have landed, however fast the runs are.
    @Test func killedAtRandomMomentsTheResumedTableEqualsACleanRun() throws {
        let seed = ProcessInfo.processInfo.environment["SLUICE_KILL_SEED"].flatMap { UInt64($0) } ?? 20_261_122
        print("kill loop seed: \(seed) (set SLUICE_KILL_SEED to replay or vary)")
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 20, files: 20, size: 24_000, gzip: 0.3, invalid: 0.02, seed: seed)
        let clean = dir.path("clean.sqlite")
        let started = Date()
        let cleanRun = try runBinary(runArguments(dir, database: clean))
        #expect(cleanRun.status == 0 || cleanRun.status == 3)
        // Up to a quarter of a clean run between start and kill: each kill lands while work is left,
        // and as committed work piles up, later kills land further into the files.
        let longestDelay = UInt64(max(Date().timeIntervalSince(started), 0.1) * 250_000)

        var delays = SplitMix64(seed: seed)
        var kills = 0, rounds = 0
        while kills < 20 && rounds < 10 {
            rounds += 1
            let resumed = dir.path("resumed-\(rounds).sqlite")
            let round = try killUntilItFinishes(runArguments(dir, database: resumed), status: cleanRun.status,
                                                delays: &delays, longestDelay: longestDelay)
            print("kill loop round \(rounds): \(round.kills) kills survived in \(round.runs) runs")
            #expect(round.finished, "the resumed runs never finished")
            guard round.finished else { return }
            kills += round.kills
            try expectSameTables(clean, resumed)
        }
        #expect(kills >= 20, "only \(kills) kills landed in \(rounds) rounds")
    }

    /// Starts the run again and again, killing each start after a random delay, until one finishes first.
    func killUntilItFinishes(_ arguments: [String], status: Int32, delays: inout SplitMix64,
                             longestDelay: UInt64) throws -> (kills: Int, runs: Int, finished: Bool) {
        var kills = 0
        for runs in 1...200 {
            let process = try startBinary(arguments)
            // A machine busier than when the clean run was timed may never let a run get far
            // enough to commit: the longest delay grows with every run, so the loop ends.
            usleep(useconds_t(5_000 + delays.next() % (longestDelay + longestDelay * UInt64(runs) / 10)))
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                if process.terminationReason == .uncaughtSignal { kills += 1 }
                continue
            }
            process.waitUntilExit()
            if process.terminationReason == .exit, process.terminationStatus == status {
                return (kills, runs, true)
            }
        }
        return (kills, 200, false)
    }

    @Test func sigtermStopsCleanlyWith143AndTheRunResumes() throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 10, size: 120_000, gzip: 0.5, invalid: 0.01)
        let clean = dir.path("clean.sqlite"), resumed = dir.path("resumed.sqlite")
        let started = Date()
        _ = try runBinary(runArguments(dir, database: clean))
        // Stop a third of the way through, measured on this machine, so the stop finds files half loaded.
        let stopAfter = max(Date().timeIntervalSince(started) / 3, 0.1)

        let process = try startBinary(runArguments(dir, database: resumed))
        usleep(useconds_t(stopAfter * 1_000_000))
        #expect(process.isRunning, "the run ended before the stop; make the scenario larger")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        // Files left pending or half loaded show that the stop cut the run short instead of waiting it out.
        let partial = try scalar(resumed, "SELECT COUNT(*) FROM sluice_files WHERE state IN ('pending', 'loading')")
        #expect(partial > 0, "the stop came after the run finished; make the scenario larger")
        let finish = try runBinary(runArguments(dir, database: resumed))
        #expect(finish.status == 0)
        try expectSameTables(clean, resumed)
    }

    /// With archiving too: files wait for their commit in the settle stage, and a failed commit
    /// must end the run there as well, with nothing archived that did not commit.
    @Test(arguments: ["keep", "archive"])
    func aStoreThatCannotBeWrittenStopsTheRunWithExitFour(settle: String) throws {
        let dir = try TemporaryDirectory()
        let manifest = try generateScenario(into: dir.url, suppliers: 3, files: 10, size: 60_000, gzip: 0)
        let database = dir.path("db.sqlite")
        let arguments = runArguments(dir, database: database, ["schema.max_invalid_ratio=1", "settle.after_load=\(settle)",
                                                               "settle.archive_to=\(dir.path("archive"))"])
        // A 2 MB file-size limit: SQLite's writes fail with EFBIG part way, as on a full disk.
        let limited = try runBinary(["-c", "trap '' XFSZ; ulimit -f 4096; exec \"$0\" \"$@\"",
                                     packageRoot.appendingPathComponent(".build/debug/sluice").path] + arguments,
                                    executable: "/bin/sh")
        #expect(limited.status == 4, "stderr: \(limited.stderr)")
        #expect(limited.stderr.contains("cannot run"))
        #expect(limited.stderr.contains("resumes from the last commit"), "the kind of failure is told, with what to do: \(limited.stderr)")

        let retry = try runBinary(arguments)
        #expect(retry.status == 0)
        #expect(try scalar(database, "SELECT COUNT(*) FROM staging_orders") == manifest.validRows)
        #expect(try scalar(database, "SELECT COUNT(*) FROM sluice_quarantine") == manifest.invalidRows)
        if settle == "archive" {
            let archived = (try? FileManager.default.subpathsOfDirectory(atPath: dir.path("archive")))?
                .filter { $0.hasSuffix(".csv") }.count ?? 0
            #expect(archived == 30, "every file archived once it loaded, none twice")
            let left = try FileManager.default.subpathsOfDirectory(atPath: dir.path("suppliers")).filter { $0.hasSuffix(".csv") }
            #expect(left.isEmpty, "\(left)")
        }
    }
}
