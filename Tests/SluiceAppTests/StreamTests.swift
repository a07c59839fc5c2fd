import Foundation
import SluiceCore
import Testing

/// `sluice stream` with the built binary on real files: deliveries over time, kills and clean
/// stops, and in the end the same table as a batch run over the same files.
@Suite(.serialized) struct StreamTests {
    let dir: TemporaryDirectory
    let streamPipeline = packageRoot.appendingPathComponent("Pipelines/supplier-stream.yaml").path

    init() throws { dir = try TemporaryDirectory() }

    var suppliers: String { dir.path("suppliers") }

    /// Settings that keep the tests quick: a short minimum age and poll interval.
    func settings(database: String, _ extra: [String] = []) -> [String] {
        // Port 0: streams of tests running side by side never contend for the default port.
        ["--metrics-address", "127.0.0.1:0", "--set", "source.root=\(suppliers)", "--set", "load.database=\(database)",
         "--set", "settle.after_load=keep", "--set", "schema.max_invalid_ratio=1",
         "--set", "source.min_age=300ms", "--set", "source.poll_interval=100ms"] + extra.flatMap { ["--set", $0] }
    }

    /// Starts a stream and waits until it holds the store (its signal handlers are in place by then).
    func startStream(_ database: String, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> StartedBinary {
        let stream = try startBinary(in: dir, ["stream", streamPipeline, "--progress", "0"] + settings(database: database, extra))
        let running = eventually {
            (try? String(contentsOfFile: database + "-lock", encoding: .utf8))?.contains("pid \(stream.pid)\n") == true
        }
        #expect(running, "the stream did not start: \(stream.errorsSoFar)", sourceLocation: sourceLocation)
        return stream
    }

    /// Stops a stream with SIGTERM and expects a clean exit.
    func stop(_ stream: StartedBinary, sourceLocation: SourceLocation = #_sourceLocation) {
        kill(stream.pid, SIGTERM)
        let result = stream.finish()
        #expect(result.status == 0, "stream exit: \(result.stderr)", sourceLocation: sourceLocation)
    }

    func finishedFiles(_ database: String) -> Int {
        (try? scalar(database, "SELECT COUNT(*) FROM sluice_files WHERE state IN ('done', 'quarantined')")) ?? 0
    }

    /// The batch run over the same files, with the same definition, and the stream's table against it.
    func expectSameAsABatchRun(_ database: String, files: Int) throws {
        let clean = dir.path("batch.sqlite")
        let batch = try runBinary(["run", streamPipeline, "--progress", "0"] + settings(database: clean))
        #expect(batch.status == 0, "\(batch.stderr)")
        let sql = "SELECT \(stagingColumns) FROM staging_orders"
        let expected = try TableFingerprint(database: clean, sql: sql)
        #expect(expected.rows > 0)
        #expect(try TableFingerprint(database: database, sql: sql) == expected)
        let twice = try scalar(database, "SELECT COUNT(*) FROM (SELECT _supplier, _file, _row FROM staging_orders GROUP BY 1, 2, 3 HAVING COUNT(*) > 1)")
        #expect(twice == 0, "(file, row) pairs loaded twice")
        // One version per file, none rolled back or superseded: nothing was read half-written.
        #expect(try query(database, "SELECT state, COUNT(*) FROM sluice_files WHERE state NOT IN ('done', 'quarantined') GROUP BY 1").isEmpty)
        #expect(try scalar(database, "SELECT COUNT(*) FROM sluice_files") == files)
    }

    /// Moves generated files into the supplier folders over time: written under a temporary name
    /// and renamed, or (every third plain file, with `slowWrites`) written slowly in place, which
    /// `min_age` must hold back.
    static func deliver(_ files: [URL], from staging: URL, into suppliers: String, pause: useconds_t,
                        slowWrites: Bool = true) throws {
        for (index, file) in files.enumerated() {
            let relative = String(file.path.dropFirst(staging.path.count + 1))
            let target = URL(fileURLWithPath: suppliers).appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if slowWrites && index % 3 == 1 && !relative.hasSuffix(".gz") {
                let bytes = try Data(contentsOf: file)
                FileManager.default.createFile(atPath: target.path, contents: nil)
                let handle = try FileHandle(forWritingTo: target)
                let third = bytes.count / 3 + 1
                for start in stride(from: 0, to: bytes.count, by: third) {
                    handle.write(bytes.subdata(in: start..<min(start + third, bytes.count)))
                    usleep(60_000)
                }
                try handle.close()
            } else {
                let temporary = target.deletingLastPathComponent().appendingPathComponent(".incoming-" + target.lastPathComponent)
                try FileManager.default.copyItem(at: file, to: temporary)
                try FileManager.default.moveItem(at: temporary, to: target)
            }
            usleep(pause)
        }
    }

    /// A generated scenario kept aside, with an empty folder per supplier ready for deliveries.
    func generatedFiles(suppliers count: Int, files: Int, size: Int = 2_000) throws -> (staging: URL, files: [URL]) {
        let staging = dir.url.appendingPathComponent("incoming")
        _ = try generateScenario(into: staging, suppliers: count, files: files, size: size, gzip: 0.2, invalid: 0.02)
        let root = staging.appendingPathComponent("suppliers")
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            try FileManager.default.createDirectory(atPath: suppliers + "/" + name, withIntermediateDirectories: true)
        }
        let all = try FileManager.default.subpathsOfDirectory(atPath: root.path)
            .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz") }.sorted()
        // Interleave suppliers, as deliveries arrive in real life.
        let ordered = all.enumerated().sorted { ($0.element.split(separator: "/").last!, $0.offset) < ($1.element.split(separator: "/").last!, $1.offset) }
        return (root, ordered.map { root.appendingPathComponent($0.element) })
    }

    @Test func filesArrivingWhileTheStreamIsKilledLoadExactlyOnce() throws {
        let (staging, files) = try generatedFiles(suppliers: 5, files: 60)
        #expect(files.count == 300)
        let database = dir.path("stream.sqlite")
        var seed = SplitMix64(seed: ProcessInfo.processInfo.environment["SLUICE_KILL_SEED"].flatMap { UInt64($0) } ?? 16)
        var stream = try startStream(database)
        let writerDone = DispatchSemaphore(value: 0)
        let writerError = Locked<String?>(nil)
        let into = suppliers
        Thread.detachNewThread {
            do { try Self.deliver(files, from: staging, into: into, pause: 10_000) } catch { writerError.set("\(error)") }
            writerDone.signal()
        }
        var kills = 0
        for _ in 0..<3 {
            usleep(useconds_t(600_000 + seed.next() % 1_200_000))
            kill(stream.pid, SIGKILL)
            _ = stream.finish()
            if stream.process.terminationReason == .uncaughtSignal { kills += 1 }
            stream = try startStream(database)
        }
        writerDone.wait()
        #expect(writerError.value == nil, "writer: \(writerError.value ?? "")")
        #expect(kills == 3, "every kill landed on a running stream")
        #expect(eventually { finishedFiles(database) == files.count }, "finished \(finishedFiles(database)) of \(files.count)")
        stop(stream)
        try expectSameAsABatchRun(database, files: files.count)
    }

    @Test func sigtermDuringABurstExitsZeroAndTheRestartResumes() throws {
        let (staging, files) = try generatedFiles(suppliers: 4, files: 50, size: 20_000)
        let database = dir.path("stream.sqlite")
        // One row per batch: every file commits many times, so a stop finds files half loaded.
        var stream = try startStream(database, ["source.batch_rows=1", "source.min_age=0s"])
        try Self.deliver(files, from: staging, into: suppliers, pause: 0, slowWrites: false)
        #expect(eventually { finishedFiles(database) > 0 })
        kill(stream.pid, SIGTERM)
        let stopped = stream.finish()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("every checkpoint is committed"))
        #expect(finishedFiles(database) < files.count, "the stop came after the burst was loaded")
        stream = try startStream(database, ["source.batch_rows=1", "source.min_age=0s"])
        #expect(eventually { finishedFiles(database) == files.count })
        stop(stream)
        try expectSameAsABatchRun(database, files: files.count)
    }

    @Test func aFileAppendedToAfterItLoadedFollowsOnChange() throws {
        let database = dir.path("stream.sqlite")
        let header = "order_id,sku,product_name,category,quantity,unit_price,currency,order_date,updated_at,in_stock,notes\n"
        let row = { (id: Int) in "\(id),ABC-123456,Widget,tools,1,2.50,EUR,2026-01-02,,true,\n" }
        try writeSupplierFile(dir, "a.csv", header + row(1))
        let stream = try startStream(database, ["source.rescan_interval=200ms"])
        #expect(eventually { finishedFiles(database) == 1 })
        let handle = try FileHandle(forWritingTo: dir.url.appendingPathComponent("suppliers/acme/a.csv"))
        handle.seekToEndOfFile()
        handle.write(Data(row(2).utf8))
        try handle.close()
        #expect(eventually { try scalar(database, "SELECT COUNT(*) FROM sluice_files") == 2 })
        stop(stream)
        #expect(try query(database, "SELECT state FROM sluice_files ORDER BY id") == [["done"], ["quarantined"]],
                "on_change: fail quarantines the new version")
        #expect(try scalar(database, "SELECT COUNT(*) FROM staging_orders") == 1)
    }

    @Test func aReadyMarkerHoldsAFileBackUntilItExists() throws {
        let database = dir.path("stream.sqlite")
        let header = "order_id,sku,product_name,category,quantity,unit_price,currency,order_date,updated_at,in_stock,notes\n"
        try writeSupplierFile(dir, "a.csv", header + "1,ABC-123456,Widget,tools,1,2.50,EUR,2026-01-02,,true,\n")
        let stream = try startStream(database, ["source.ready_marker={name}.done", "source.min_age=0s"])
        // The stream has looked at the folder (its store exists) and several polls pass.
        #expect(eventually { FileManager.default.fileExists(atPath: database) })
        usleep(800_000)
        #expect(finishedFiles(database) == 0, "loaded before its marker existed")
        try writeSupplierFile(dir, "a.csv.done", "")
        #expect(eventually { finishedFiles(database) == 1 })
        stop(stream)
    }

    @Test func aSupplierFolderThatAppearsIsServedWithoutARestart() throws {
        let database = dir.path("stream.sqlite")
        let header = "order_id,sku,product_name,category,quantity,unit_price,currency,order_date,updated_at,in_stock,notes\n"
        let row = { (id: Int) in "\(id),ABC-123456,Widget,tools,1,2.50,EUR,2026-01-02,,true,\n" }
        try writeSupplierFile(dir, "a.csv", header + row(1), supplier: "acme")
        let stream = try startStream(database, ["source.min_age=0s", "limits.group_size=1"])
        #expect(eventually { finishedFiles(database) == 1 })
        // A new folder under the root, then a second: each is a supplier with its own cap and group.
        try writeSupplierFile(dir, "b.csv", header + row(2), supplier: "globex")
        #expect(eventually { finishedFiles(database) == 2 }, "the new supplier's file was not loaded")
        try writeSupplierFile(dir, "c.csv", header + row(3) + row(4), supplier: "initech")
        try writeSupplierFile(dir, "d.csv", header + row(5), supplier: "globex")
        #expect(eventually { finishedFiles(database) == 4 })
        kill(stream.pid, SIGTERM)
        let result = stream.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("globex") && result.stdout.contains("initech"), "the summary lists the new suppliers")
        #expect(try query(database, "SELECT _supplier, COUNT(*) FROM staging_orders GROUP BY 1 ORDER BY 1")
                == [["acme", "1"], ["globex", "2"], ["initech", "2"]])
    }

    @Test func aSecondStreamOnTheSameStoreExitsSeventyFive() throws {
        let database = dir.path("stream.sqlite")
        try FileManager.default.createDirectory(atPath: suppliers + "/acme", withIntermediateDirectories: true)
        let first = try startStream(database)
        let second = try runBinary(["stream", streamPipeline, "--progress", "0"] + settings(database: database))
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("pid \(first.pid)"))
        stop(first)
    }
}

/// A value shared with a background thread.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func set(_ value: Value) { lock.withLock { stored = value } }
}
