import Foundation
import SluiceCore
import Testing

/// The monitoring endpoints of the built binary: `/status`, `/ready` and `/metrics` while a
/// stream runs, a real Prometheus scraping them, and JSON log lines.
@Suite(.serialized) struct MonitoringTests {
    let dir: TemporaryDirectory
    let streamPipeline = packageRoot.appendingPathComponent("Pipelines/supplier-stream.yaml").path

    init() throws { dir = try TemporaryDirectory() }

    var suppliers: String { dir.path("suppliers") }

    func settings(_ database: String) -> [String] {
        ["--set", "source.root=\(suppliers)", "--set", "load.database=\(database)", "--set", "settle.after_load=keep",
         "--set", "schema.max_invalid_ratio=1", "--set", "source.min_age=0s", "--set", "source.poll_interval=100ms"]
    }

    /// A stream serving on a free port, and that port.
    func startStream(_ database: String) throws -> (StartedBinary, Int) {
        let stream = try startBinary(in: dir, ["stream", streamPipeline, "--progress", "0", "--metrics-address", "127.0.0.1:0"]
                                      + settings(database))
        guard let port = servedPort(stream) else {
            kill(stream.pid, SIGKILL)
            throw StoreError("the stream never said where it serves: \(stream.errorsSoFar)")
        }
        return (stream, port)
    }

    func status(_ port: Int) throws -> [String: Any] {
        guard let answer = httpGet("http://127.0.0.1:\(port)/status"), answer.status == 200,
              let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else {
            throw StoreError("no /status from port \(port)")
        }
        return json
    }

    /// The sum of a per-supplier field of `/status`.
    func total(_ status: [String: Any], _ field: String) -> Int {
        ((status["suppliers"] as? [[String: Any]]) ?? []).reduce(0) { $0 + (($1[field] as? Int) ?? 0) }
    }

    /// Moves the generated files of `staging` into the watched folders.
    func deliver(_ staging: URL, count: Int) throws -> Int {
        let root = staging.appendingPathComponent("suppliers")
        let files = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".csv") || $0.hasSuffix(".gz") }
            .sorted().prefix(count)
        for file in files {
            let target = URL(fileURLWithPath: suppliers).appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: root.appendingPathComponent(file), to: target)
        }
        return files.count
    }

    @Test func statusAnswersWhileAStreamRunsAndMovesAsFilesArrive() throws {
        let staging = dir.url.appendingPathComponent("incoming")
        _ = try generateScenario(into: staging, suppliers: 3, files: 6, size: 4_000)
        for name in ["supplier-01", "supplier-02", "supplier-03"] {
            try FileManager.default.createDirectory(atPath: suppliers + "/" + name, withIntermediateDirectories: true)
        }
        let database = dir.path("stream.sqlite")
        let (stream, port) = try startStream(database)
        defer { kill(stream.pid, SIGKILL) }
        #expect(eventually { httpGet("http://127.0.0.1:\(port)/ready")?.status == 200 })
        let before = try status(port)
        #expect(before["mode"] as? String == "stream")
        #expect(before["run_id"] as? Int != nil)
        #expect(total(before, "files_done") == 0)
        #expect(total(before, "slots_cap") == 9, "three suppliers with a cap of 3")

        let first = try deliver(staging, count: 7)
        #expect(eventually { try total(status(port), "files_done") + total(status(port), "files_quarantined") == first })
        let middle = try status(port)
        let loaded = try scalar(database, "SELECT COUNT(*) FROM staging_orders")
        #expect(loaded > 0)
        #expect(((middle["suppliers"] as? [[String: Any]]) ?? []).reduce(0) { $0 + ((($1["rows"] as? [String: Any])?["loaded"] as? Int) ?? 0) } == loaded)
        #expect(eventually { try total(status(port), "slots_in_use") == 0 })

        let rest = try deliver(staging, count: 100)
        #expect(eventually { try total(status(port), "files_done") + total(status(port), "files_quarantined") == first + rest })
        #expect(httpGet("http://127.0.0.1:\(port)/nothing")?.status == 404)

        kill(stream.pid, SIGTERM)
        #expect(stream.finish().status == 0)
    }

    @Test func aRealPrometheusScrapesTheStream() throws {
        let database = dir.path("stream.sqlite")
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 4, size: 4_000)
        let (stream, port) = try startStream(database)
        defer { kill(stream.pid, SIGKILL) }
        #expect(eventually { (try? scalar(database, "SELECT COUNT(*) FROM sluice_files WHERE state IN ('done', 'quarantined')")) == 12 })

        // promtool reads /metrics as served.
        let metrics = try #require(httpGet("http://127.0.0.1:\(port)/metrics"))
        #expect(metrics.status == 200)
        let check = try runTool("/usr/bin/promtool", ["check", "metrics"], input: metrics.body)
        #expect(check.status == 0, "promtool check metrics: \(check.output)")

        let webPort = try freePort()
        let config = dir.path("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: sluice
                static_configs:
                  - targets: ['127.0.0.1:\(port)']
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prometheus.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(dir.path("tsdb"))",
                                "--web.listen-address=127.0.0.1:\(webPort)"]
        prometheus.standardOutput = FileHandle.nullDevice
        prometheus.standardError = try FileHandle(forWritingTo: { () -> URL in
            let log = dir.url.appendingPathComponent("prometheus.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            return log
        }())
        try prometheus.run()
        defer { prometheus.terminate(); prometheus.waitUntilExit() }

        let expected = try scalar(database, "SELECT COUNT(*) FROM staging_orders")
        let query = "http://127.0.0.1:\(webPort)/api/v1/query?query=sum(sluice_rows_total%7Boutcome%3D%22loaded%22%7D)"
        var seen: Int?
        let scraped = eventually(seconds: 60) {
            guard let answer = httpGet(query), answer.status == 200,
                  let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
                  let result = ((json["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first,
                  let value = (result["value"] as? [Any])?.last as? String else { return false }
            seen = Int(Double(value) ?? -1)
            return seen == expected
        }
        let log = (try? String(contentsOfFile: dir.path("prometheus.log"), encoding: .utf8)) ?? ""
        #expect(scraped, "Prometheus saw \(seen.map(String.init) ?? "nothing") loaded rows, the store has \(expected); its log: \(log.suffix(2_000))")
        kill(stream.pid, SIGTERM)
        #expect(stream.finish().status == 0)
    }

    @Test func aPortInUseStopsTheRunBeforeAnyFileLoads() throws {
        let database = dir.path("stream.sqlite")
        try FileManager.default.createDirectory(atPath: suppliers + "/acme", withIntermediateDirectories: true)
        let (stream, port) = try startStream(database)
        defer { kill(stream.pid, SIGKILL) }
        _ = try generateScenario(into: dir.url.appendingPathComponent("other"), suppliers: 2, files: 2)
        let other = dir.path("other.sqlite")
        let run = try runBinary(["run", streamPipeline, "--progress", "0", "--metrics-address", "127.0.0.1:\(port)",
                                 "--set", "source.root=\(dir.path("other/suppliers"))", "--set", "load.database=\(other)"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("127.0.0.1:\(port)") && run.stderr.contains("--metrics-address"), "\(run.stderr)")
        #expect((try? scalar(other, "SELECT COUNT(*) FROM sluice_files WHERE state = 'done'")) ?? 0 == 0)
        let bad = try runBinary(["run", streamPipeline, "--metrics-address", "localhost"])
        #expect(bad.status == 64, "\(bad.stderr)")
        kill(stream.pid, SIGTERM)
        #expect(stream.finish().status == 0)
    }

    @Test func servingBeyondLoopbackIsWarnedAboutAndLoopbackIsNot() throws {
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 1)
        func run(_ address: String) throws -> (status: Int32, stdout: String, stderr: String) {
            try runBinary(["run", streamPipeline, "--progress", "0", "--metrics-address", address,
                           "--set", "source.root=\(suppliers)", "--set", "load.database=\(dir.path("w-\(UUID().uuidString).sqlite"))"])
        }
        let everywhere = try run(":0")
        #expect(everywhere.status == 0 || everywhere.status == 3, "\(everywhere.stderr)")
        #expect(everywhere.stderr.contains("warning: /metrics, /status and /ready are served on 0.0.0.0:0, beyond this machine"))
        let local = try run("127.0.0.1:0")
        #expect(!local.stderr.contains("beyond this machine"), "\(local.stderr)")
    }

    @Test func jsonLogLinesCarryTheRunAndTheFile() throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 3)
        let database = dir.path("run.sqlite")
        let run = try runBinary(["run", streamPipeline, "--progress", "0", "--log-format", "json", "-v"] + settings(database))
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
        let fileLines = lines.filter { $0["message"] as? String == "file read" }
        #expect(fileLines.count == 6, "one line per file: \(run.stderr.prefix(2_000))")
        let runID = try scalar(database, "SELECT MAX(id) FROM sluice_runs")
        for line in fileLines {
            #expect(line["run.id"] as? String == "\(runID)")
            let path = try #require(line["file"] as? String), supplier = try #require(line["supplier"] as? String)
            let id = try scalar(database, "SELECT id FROM sluice_files WHERE supplier = '\(supplier)' AND path = '\(path)'")
            #expect(line["file.id"] as? String == "\(id)", "the file's id in the store")
            #expect(line["level"] as? String == "info" && line["time"] != nil)
        }
        #expect(lines.count == run.stderr.split(separator: "\n").count, "every line is JSON")
    }
}

/// Runs a tool with `input` on its standard input; its exit status and everything it printed.
func runTool(_ path: String, _ arguments: [String], input: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let stdin = Pipe(), output = Pipe()
    process.standardInput = stdin
    process.standardOutput = output
    process.standardError = output
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, said)
}
