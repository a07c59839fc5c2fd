import Foundation
import SluiceCore
@testable import SluicePostgres
import Testing

/// The PostgreSQL store end to end, through the `sluice` binary, against a throwaway server:
/// the same table as SQLite, crash safety by SIGKILL, a server that dies mid-run, hostile
/// names, and passwords that never show.
@Suite struct PostgresStoreTests: PostgresScenarioTests {
    @Test func theSameScenarioGivesTheSameTableAsSQLite() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 6, size: 20_000, gzip: 0.3, invalid: 0.03)
        let sqlite = try runBinary(sqliteArguments(dir))
        let postgres = try runBinary(arguments("run", dir, server))
        #expect(postgres.status == sqlite.status, "stderr: \(postgres.stderr)")
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
        let types = try rows(server, """
            SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'staging_orders' ORDER BY ordinal_position
            """).map { "\($0[0]!) \($0[1]!)" }
        #expect(types.prefix(4) == ["order_id bigint", "sku text", "product_name text", "category text"])
        #expect(types.contains("price numeric") && types.contains("order_date date") && types.contains("in_stock boolean"))
        #expect(types.contains("updated_at timestamp with time zone"))
        // The report reads the same story from either store.
        func report(_ arguments: [String]) throws -> (files: Int, read: Int, reasons: [String: Int], stages: Int) {
            let out = try runBinary(arguments.map { $0 == "run" ? "report" : $0 }.filter { $0 != "--progress" && $0 != "0" } + ["--json"])
            #expect(out.status == 0, "report: \(out.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            let files = json["files"] as? [[String: Any]] ?? []
            let read = files.reduce(0) { $0 + (($1["rows"] as? [String: Any])?["read"] as? Int ?? 0) }
            let reasons = (json["quarantine_reasons"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) {
                $0[$1["reason"] as? String ?? ""] = $1["count"] as? Int
            }
            return (files.count, read, reasons, (json["stages"] as? [Any])?.count ?? 0)
        }
        let fromPostgres = try report(arguments("run", dir, server)), fromSQLite = try report(sqliteArguments(dir))
        #expect(fromPostgres.files == fromSQLite.files && fromPostgres.files > 0)
        #expect(fromPostgres.read == fromSQLite.read)
        #expect(fromPostgres.reasons == fromSQLite.reasons && !fromPostgres.reasons.isEmpty)
        #expect(fromPostgres.stages > 0)
        // A second run finds everything loaded and adds nothing.
        let again = try runBinary(arguments("run", dir, server))
        #expect(again.status == 0, "stderr: \(again.stderr)")
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
    }

    @Test func killedAtRandomMomentsTheResumedTableEqualsACleanRun() throws {
        let seed = ProcessInfo.processInfo.environment["SLUICE_KILL_SEED"].flatMap { UInt64($0) } ?? 20_261_203
        print("postgres kill loop seed: \(seed)")
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 10, files: 10, size: 24_000, gzip: 0.3, invalid: 0.02, seed: seed)
        let small = ["source.batch_rows=16", "schema.max_invalid_ratio=0.1"]
        let clean = try runBinary(sqliteArguments(dir, small))
        // Up to a quarter of a clean run into this server between start and kill.
        let started = Date()
        _ = try runBinary(arguments("run", dir, server, small))
        let longestDelay = UInt64(max(Date().timeIntervalSince(started), 0.1) * 250_000)
        print("postgres clean run: \(Date().timeIntervalSince(started)) s")
        var delays = SplitMix64(seed: seed)
        var kills = 0
        for round in 1...5 where kills < 20 {
            _ = try server.psql("DROP TABLE IF EXISTS staging_orders; DELETE FROM sluice_files; DELETE FROM sluice_quarantine")
            let result = try CrashSafetyTests().killUntilItFinishes(arguments("run", dir, server, small), status: clean.status,
                                                                     delays: &delays, longestDelay: longestDelay)
            print("postgres kill loop round \(round): \(result.kills) kills survived in \(result.runs) runs")
            #expect(result.finished, "the resumed runs never finished")
            guard result.finished else { return }
            kills += result.kills
            try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
        }
        #expect(kills >= 20, "only \(kills) kills landed")
    }

    @Test func aServerThatDiesMidRunFailsTheRunLoudlyAndAResumeEqualsACleanRun() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 10, size: 200_000, gzip: 0)
        let slow = ["source.batch_rows=64", "limits.max_concurrency=1"]
        _ = try runBinary(sqliteArguments(dir, slow))
        let run = try startBinary(in: dir, arguments("run", dir, server, slow))
        #expect(eventually(seconds: 60) {
            (try? rows(server, "SELECT count(*) FROM sluice_files WHERE rows_loaded > 0").first?.first).flatMap { $0 }.flatMap { Int($0) } ?? 0 > 0
        }, "the run loaded nothing before the stop")
        try server.stop(immediate: true)
        let failed = run.finish()
        #expect(failed.status == 4, "stderr: \(failed.stderr)")
        #expect(failed.stderr.contains("connection"), "the failure is named: \(failed.stderr)")
        try server.start()
        let resumed = try runBinary(arguments("run", dir, server, slow))
        #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
    }

    @Test func withReconnectOnARunRidesOutAServerRestartAndEqualsACleanRun() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 4, files: 10, size: 200_000, gzip: 0)
        let slow = ["source.batch_rows=64", "limits.max_concurrency=1"]
        _ = try runBinary(sqliteArguments(dir, slow))
        let run = try startBinary(in: dir, arguments("run", dir, server, slow + ["load.reconnect_for=60s"]))
        #expect(eventually(seconds: 60) {
            (try? rows(server, "SELECT count(*) FROM sluice_files WHERE rows_loaded > 0").first?.first).flatMap { $0 }.flatMap { Int($0) } ?? 0 > 0
        }, "the run loaded nothing before the stop")
        try server.stop(immediate: true)
        usleep(1_500_000)
        try server.start()
        let finished = run.finish()
        #expect(finished.status == 0, "stderr: \(finished.stderr)")
        #expect(finished.stderr.contains("reconnecting"), "the outage is told: \(finished.stderr)")
        try expectSameTables(sqlite: dir.path("clean.sqlite"), server)
        #expect(try rows(server, "SELECT count(*) FROM sluice_files WHERE lease_owner IS NOT NULL").first?.first == "0",
                "every lease was let go")
    }

    @Test func hostileNamesAreRejectedOrQuotedAndTheSchemaIsUnchanged() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        let tablesBefore = try rows(server, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        #expect(tablesBefore.isEmpty)
        let hostileTable = try runBinary(arguments("check", dir, server, ["load.table=t\"; DROP TABLE sluice_files;--"]))
        #expect(hostileTable.status == 2, "a hostile table name is refused: \(hostileTable.stdout)")
        #expect(hostileTable.stderr.contains("table name"))
        let tooLong = try runBinary(arguments("check", dir, server, ["load.table=\(String(repeating: "n", count: 64))"]))
        #expect(tooLong.status == 2 && tooLong.stderr.contains("63"), "a name PostgreSQL would cut is refused: \(tooLong.stderr)")
        let yaml = """
            pipeline: hostile
            source: { root: \(dir.path("suppliers")) }
            schema:
              columns:
                - { name: "x\\"); DROP TABLE sluice_files;--", type: integer }
            load: { kind: postgres, host: \(server.socketFolder), database: postgres, user: postgres, table: hostile }
            """
        try yaml.write(toFile: dir.path("hostile.yaml"), atomically: true, encoding: .utf8)
        let hostileColumn = try runBinary(["run", dir.path("hostile.yaml"), "--progress", "0"])
        #expect(hostileColumn.status == 2 && hostileColumn.stderr.contains("column name"), "stderr: \(hostileColumn.stderr)")
        #expect(try rows(server, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").isEmpty, "nothing ran")

        // A hostile header in a delivered file is data: the file is quarantined for its header.
        try writeSupplierFile(dir, "evil.csv", "x\"); DROP TABLE sluice_files;--,b\n1,2\n")
        let run = try runBinary(arguments("run", dir, server))
        #expect(run.status == 3, "stderr: \(run.stderr)")
        let tables = try rows(server, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").map { $0[0]! }
        #expect(tables == ["sluice_breaker_openings", "sluice_commit_marks", "sluice_files", "sluice_group_openings", "sluice_headers",
                           "sluice_lock_holders", "sluice_migrations", "sluice_paces", "sluice_quarantine", "sluice_run_stages",
                           "sluice_runs", "sluice_slots", "sluice_start_groups", "staging_orders"])
        #expect(try rows(server, "SELECT state FROM sluice_files").map { $0[0] } == ["quarantined"])
        let reason = try rows(server, "SELECT reason FROM sluice_quarantine").first?.first ?? nil
        #expect(reason?.contains("header") == true, "quarantined for its header: \(reason ?? "none")")
    }

    @Test func aPasswordAppearsInNoOutput() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 2, size: 6_000)
        let password = "s3cret-Pa55-\(UUID().uuidString.prefix(6))"
        #expect(try server.psql("CREATE ROLE loader LOGIN PASSWORD '\(password)'; GRANT ALL ON SCHEMA public TO loader").status == 0)
        try server.requirePasswords()
        let asLoader = ["load.user=loader", "load.password_env=LOADER_PASSWORD"]

        let good = ["LOADER_PASSWORD": password]
        for command in ["run", "check", "status"] {
            let result = try runBinary(arguments(command, dir, server, asLoader), environment: good)
            #expect(result.status == 0 || (command == "run" && result.status == 3), "\(command): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains(password), "\(command) shows the password")
        }
        let wrong = try runBinary(arguments("run", dir, server, asLoader), environment: ["LOADER_PASSWORD": password + "x"])
        #expect(wrong.status == 4)
        #expect(wrong.stderr.contains("password authentication failed"), "the reason is told: \(wrong.stderr)")
        #expect(!(wrong.stdout + wrong.stderr).contains(password))
        // libpq's own variable works too, and shows no more.
        let fromPGPASSWORD = try runBinary(arguments("status", dir, server, ["load.user=loader"]), environment: ["PGPASSWORD": password])
        #expect(fromPGPASSWORD.status == 0, "stderr: \(fromPGPASSWORD.stderr)")
        #expect(!(fromPGPASSWORD.stdout + fromPGPASSWORD.stderr).contains(password))
        let json = try runBinary(arguments("run", dir, server, asLoader) + ["--log-format", "json"], environment: ["LOADER_PASSWORD": password + "x"])
        #expect(!(json.stdout + json.stderr).contains(password))
    }
}
