import Foundation
import SluiceCore
import Testing

/// Endpoint suppliers against `sluice-supplier-sim` on loopback, with the built binaries: every
/// file once despite throttling and faults, the rate held, resumed and changed downloads,
/// crashes, credentials, and a stream. Each load is compared with a run over the same files
/// from their folders.
@Suite(.serialized) struct EndpointTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    var suppliers: String { dir.path("suppliers") }

    /// The staging table and quarantine of a run over the supplier folders themselves.
    func localTables() async throws -> [TableFingerprint] {
        let database = dir.path("local-\(UUID().uuidString).sqlite")
        let (definition, plan) = try pipeline(suppliers: suppliers, database: database)
        _ = try await runBatch(definition, plan)
        return try tables(database)
    }

    func tables(_ database: String) throws -> [TableFingerprint] {
        [try TableFingerprint(database: database, sql: "select \(stagingColumns) from staging_orders"),
         try TableFingerprint(database: database, sql: "select \(quarantineColumns) from sluice_quarantine")]
    }

    /// `sluice <command> <pipeline>` with the settings every test uses, and `extra` overrides.
    func arguments(_ command: String, _ pipeline: String, _ extra: [String] = []) -> [String] {
        [command, pipeline] + (command == "run" ? ["--progress", "0"] : [])
            + (["schema.max_invalid_ratio=1"] + extra).flatMap { ["--set", $0] }
    }

    /// Quick retries, no breaker: the faults here are many on purpose.
    let patientRetries = ["retry.max_attempts=40", "retry.initial_delay=10ms", "retry.max_delay=100ms", "breaker=off"]

    @Test func everyFileLoadsOnceDespiteThrottlingServerErrorsAndCutBodies() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 6, gzip: 0.3)
        let simulator = try SupplierSimulator(root: suppliers, in: dir,
                                              ["--rate", "4", "--error-share", "0.15", "--cut-share", "0.15", "--seed", "3"])
        let database = dir.path("endpoints.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database)
        // No rate declared and three files at once per supplier: the throttle answers 429 often.
        let result = try runBinary(arguments("run", pipeline, ["limits.rate=1000/s"] + patientRetries))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let requests = simulator.requests
        #expect(requests.contains { $0.status == 429 }, "the throttle was never met")
        #expect(requests.contains { $0.status == 500 }, "no server error was met")
        #expect(requests.contains { $0.cut }, "no body was cut short")
        #expect(try tables(database) == (try await localTables()))
    }

    @Test func theCappedConfigurationNeverSendsMoreThanTheRateInAnySecond() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 8)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "3"])
        let database = dir.path("capped.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database)
        let capped = ["limits.per_supplier_concurrency=3", "limits.stagger=200ms", "limits.rate=3/s", "limits.burst=1"]
        let result = try runBinary(arguments("run", pipeline, capped))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let requests = simulator.requests
        #expect(requests.count == 3 * (8 + 1), "8 downloads and 1 listing page per supplier")
        #expect(!requests.contains { $0.status == 429 })
        #expect(simulator.mostRequestsInOneSecond <= 3)
        #expect(try tables(database) == (try await localTables()))
    }

    @Test func aBrokenDownloadResumesWithARangeFromTheLastCommittedRow() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 1, size: 1_500_000, gzip: 0)
        let simulator = try SupplierSimulator(root: suppliers, in: dir,
                                              ["--rate", "0", "--cut-first-download", "--cut-at", "0.7", "--bandwidth", "4000000"])
        let database = dir.path("resumed.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database)
        let result = try runBinary(arguments("run", pipeline, ["source.batch_rows=1000"] + patientRetries))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let downloads = simulator.requests.filter { $0.path.contains("/files/") }
        #expect(downloads.filter(\.cut).count == 2, "each file's first download is cut")
        let resumed = downloads.filter { $0.status == 206 }
        #expect(resumed.count == 2, "\(downloads)")
        for request in resumed {
            let offset = Int(request.range?.dropFirst("bytes=".count).dropLast() ?? "") ?? 0
            #expect(offset > 500_000, "resumed from byte \(offset): well into the file, where its last batch committed")
        }
        #expect(try tables(database) == (try await localTables()))
    }

    @Test func aFileChangedBetweenAttemptsIsLoadedAnewNotSpliced() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 1, size: 1_500_000, gzip: 0)
        let supplier = try supplierNames(dir)[0]
        let file = URL(fileURLWithPath: suppliers).appendingPathComponent("\(supplier)/orders-00001.csv")
        // Another version of the same size: only its ETag tells it apart.
        let original = try String(contentsOf: file, encoding: .utf8)
        let replacement = Data(original.replacingOccurrences(of: "oak", with: "elm").utf8)
        #expect(replacement.count == original.utf8.count && replacement != Data(original.utf8))
        // The first download is slow and cut at 70%: the file is replaced while it runs.
        let simulator = try SupplierSimulator(root: suppliers, in: dir,
                                              ["--rate", "0", "--cut-first-download", "--cut-at", "0.7", "--bandwidth", "1000000"])
        let database = dir.path("changed.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: [supplier], database: database)
        let run = try startBinary(in: dir, arguments("run", pipeline, ["source.batch_rows=1000"] + patientRetries))
        #expect(eventually { simulator.requests.contains { $0.path.hasSuffix("orders-00001.csv") } })
        usleep(300_000)
        try replacement.write(to: file, options: .atomic)
        let first = run.finish()
        #expect(first.status == 3, "the changed file is not loaded by this run: \(first.stdout)")
        #expect(first.stdout.contains("changed while read"), "\(first.stdout)")
        #expect(try scalar(database, "select count(*) from staging_orders") == 0, "the rows of the old version are taken out")
        let second = try runBinary(arguments("run", pipeline, patientRetries))
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(try tables(database) == (try await localTables()), "only the new version's rows")
    }

    @Test func killedMidDownloadTheResumedTableEqualsACleanRun() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 2, size: 900_000, gzip: 0.3)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--bandwidth", "700000"])
        let database = dir.path("killed.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database)
        for delay in [700_000, 1_500_000] as [UInt32] {
            let run = try startBinary(in: dir, arguments("run", pipeline, ["source.batch_rows=1000"]))
            usleep(delay)
            kill(run.pid, SIGKILL)
            _ = run.finish()
        }
        #expect(try scalar(database, "select count(*) from staging_orders") > 0, "the killed runs committed something")
        let resumed = try runBinary(arguments("run", pipeline))
        #expect(resumed.status == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(simulator.requests.contains { $0.status == 206 }, "a partly loaded file resumed with a range")
        #expect(try tables(database) == (try await localTables()))
    }

    @Test func aTokenAppearsInNoOutputAndAMissingOneIsNamed() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 2)
        let secret = "tok-\(UUID().uuidString)"
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--token-env", "SIM_TOKEN"],
                                              environment: ["SIM_TOKEN": secret])
        let database = dir.path("secret.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: database, auth: "SUPPLIER_TOKEN")
        var outputs: [String] = []
        let loaded = try runBinary(arguments("run", pipeline, []) + ["--verbose", "--log-format", "json"],
                                   environment: ["SUPPLIER_TOKEN": secret])
        #expect(loaded.status == 0, "\(loaded.stdout)\n\(loaded.stderr)")
        outputs += [loaded.stdout, loaded.stderr]
        for command in ["check", "status"] {
            let shown = try runBinary(arguments(command, pipeline), environment: ["SUPPLIER_TOKEN": secret])
            #expect(shown.status == 0, "\(command): \(shown.stderr)")
            outputs += [shown.stdout, shown.stderr]
        }
        #expect(try tables(database) == (try await localTables()))

        let wrong = "wrong-\(UUID().uuidString)"
        let refused = try runBinary(arguments("run", pipeline, []) + ["--verbose"], environment: ["SUPPLIER_TOKEN": wrong])
        #expect(refused.status == 3)
        #expect(refused.stdout.contains("HTTP 401"), "\(refused.stdout)")
        let missing = try runBinary(arguments("run", pipeline, []), environment: ["SUPPLIER_TOKEN": ""])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("SUPPLIER_TOKEN"), "\(missing.stderr)")
        let malformed = "bad \(UUID().uuidString)\r"
        let unusable = try runBinary(arguments("run", pipeline, []), environment: ["SUPPLIER_TOKEN": malformed])
        #expect(unusable.status == 4)
        #expect(unusable.stderr.contains("the token in SUPPLIER_TOKEN holds spaces or control characters"), "\(unusable.stderr)")
        for output in outputs + [refused.stdout, refused.stderr, missing.stdout, missing.stderr, unusable.stdout, unusable.stderr] {
            #expect(!output.contains(secret) && !output.contains(wrong) && !output.contains(malformed.dropLast()))
        }
    }

    @Test func aStreamLoadsAFilePublishedOnTheEndpointWhileItRuns() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 2, gzip: 0)
        let secret = "tok-\(UUID().uuidString)"
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "3", "--token-env", "SIM_TOKEN"],
                                              environment: ["SIM_TOKEN": secret])
        let database = dir.path("stream.sqlite")
        let names = try supplierNames(dir)
        let pipeline = try simulator.pipeline(in: dir, suppliers: names, database: database, auth: "SUPPLIER_TOKEN")
        let stream = try startBinary(in: dir, ["stream", pipeline, "--progress", "0", "--metrics-address", "127.0.0.1:0"]
                                     + ["schema.max_invalid_ratio=1", "source.poll_interval=300ms"].flatMap { ["--set", $0] },
                                     environment: ["SUPPLIER_TOKEN": secret])
        let done = "select count(*) from sluice_files where state = 'done'"
        #expect(eventually { (try? scalar(database, done)) == 4 }, "the first files: \(stream.errorsSoFar)")

        let other = try TemporaryDirectory()
        _ = try generateScenario(into: other.url, suppliers: 1, files: 1, gzip: 0, seed: 5)
        let published = try Data(contentsOf: other.url.appendingPathComponent("suppliers/\(names[0])/orders-00001.csv"))
        let target = URL(fileURLWithPath: suppliers).appendingPathComponent("\(names[0])/orders-00100.csv")
        try published.write(to: target, options: .atomic)
        #expect(eventually { (try? scalar(database, done)) == 5 }, "the published file: \(stream.errorsSoFar)")

        let port = servedPort(stream)
        let status = port.flatMap { httpGet("http://127.0.0.1:\($0)/status") }
        #expect(status?.status == 200)
        let metrics = port.flatMap { httpGet("http://127.0.0.1:\($0)/metrics") }?.body ?? ""
        #expect(metrics.contains("sluice_endpoint_requests_total{pipeline=\"supplier-nightly\",supplier=\"\(names[0])\",status=\"200\"}"),
                "\(metrics.split(separator: "\n").filter { $0.contains("endpoint") })")
        kill(stream.pid, SIGTERM)
        let result = stream.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(simulator.mostRequestsInOneSecond <= 3, "the listing polls stay within the rate")
        #expect(!simulator.requests.contains { $0.status == 429 || $0.status == 401 })
        for output in [result.stdout, result.stderr, status?.body ?? ""] { #expect(!output.contains(secret)) }
        #expect(try tables(database) == (try await localTables()))
    }
}
