import Foundation
import Logging
import SluiceApp
import SluiceCSV
import SluiceCore
import SluiceSQLite
import Synchronization
import Testing

/// Opens files through the real CSV reader, after an async pause or a scripted failure.
struct ScriptedReaders: RecordReaderFactory {
    /// How long opening each file takes, by name.
    var delay: @Sendable (DiscoveredFile) -> Duration = { _ in .zero }
    /// An error to throw instead of opening, by name and attempt (1-based); nil opens normally.
    var failure: @Sendable (DiscoveredFile, Int) -> ReadError? = { _, _ in nil }
    let attempts = AttemptCounter()

    func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) async throws -> any RecordReader {
        let attempt = attempts.next("\(file.supplier)/\(file.relativePath)")
        try await Task.sleep(for: delay(file))
        if let error = failure(file, attempt) { throw error }
        return try CSVReaderFactory().open(file, resume: resume, options: options)
    }
}

/// Counts opens per file.
final class AttemptCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func next(_ key: String) -> Int {
        counts.withLock { counts in
            counts[key, default: 0] += 1
            return counts[key]!
        }
    }
}

@Suite struct LimiterEndToEndTests {
    func run(_ definition: PipelineDefinition, _ plan: OutputPlan, readers: ScriptedReaders) async throws -> (RunSummary, SQLiteWarehouse) {
        try await runBatch(definition, plan, readers: readers)
    }

    func smallSupplierFiles(_ dir: TemporaryDirectory, suppliers: [String], files: Int) throws {
        for supplier in suppliers {
            let folder = dir.url.appendingPathComponent("suppliers/\(supplier)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 1...files {
                let body = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n\(index),ABC-123456,Thing,3,1.50,EUR,2026-01-02\n"
                try body.write(to: folder.appendingPathComponent("f\(index).csv"), atomically: true, encoding: .utf8)
            }
        }
    }

    @Test func twentySuppliersWithRandomDelaysReachButNeverExceedTheirCaps() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 20, files: 12, size: 2_000, gzip: 0.2)
        let (definition, plan) = try pipeline(
            suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
            ["limits.per_supplier_concurrency=3", "limits.max_concurrency=40", "limits.group_size=5", "limits.stagger=200ms"])
        let readers = ScriptedReaders(delay: { file in
            // 20 to 120 ms per file, fixed by its name so a failure replays.
            .milliseconds(20 + Int64(abs(file.relativePath.hashValue % 7 + file.supplier.count * 13) % 100))
        })

        let (summary, warehouse) = try await run(definition, plan, readers: readers)

        #expect(summary.total.files == 240)
        let timeline = try warehouse.timeline()
        let start = timeline.map(\.startedAt).min()!, end = timeline.map(\.finishedAt).max()!
        #expect(peakOpen(timeline, from: start, to: end) <= 40)
        let bySupplier = Dictionary(grouping: timeline, by: \.supplier)
        for (supplier, timings) in bySupplier {
            #expect(peakOpen(timings, from: start, to: end) == 3, "supplier \(supplier) should reach its cap of 3 and never pass it")
        }
        let groupStarts = (0..<4).map { group in
            (1...5).map { bySupplier[String(format: "supplier-%02d", group * 5 + $0)]!.map(\.startedAt).min()! }.min()!
        }
        for group in 1..<4 { #expect(groupStarts[group] - groupStarts[group - 1] >= 0.2) }
    }

    @Test func aFileThatFailsTwiceThenOpensIsLoadedWithThreeAttempts() async throws {
        let dir = try TemporaryDirectory()
        try smallSupplierFiles(dir, suppliers: ["acme"], files: 2)
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["retry={max_attempts: 3, initial_delay: 10ms, max_delay: 50ms}"])
        let readers = ScriptedReaders(failure: { file, attempt in
            file.relativePath == "f1.csv" && attempt <= 2 ? ReadError(.permission, "busy, try later") : nil
        })

        let (summary, _) = try await run(definition, plan, readers: readers)

        #expect(summary.exitCode == 0)
        #expect(summary.total.rows.loaded == 2)
        let attempts = try query(dir.path("db.sqlite"), "SELECT path, attempts, state FROM sluice_files ORDER BY path")
        #expect(attempts == [["f1.csv", "3", "done"], ["f2.csv", "1", "done"]])
    }

    @Test func aFileThatNeverOpensIsReportedFailedAfterMaxAttempts() async throws {
        let dir = try TemporaryDirectory()
        try smallSupplierFiles(dir, suppliers: ["acme"], files: 1)
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["retry={max_attempts: 4, initial_delay: 5ms, max_delay: 20ms}", "breaker=off"])
        let readers = ScriptedReaders(failure: { _, _ in ReadError(.permission, "permission denied") })

        let (summary, _) = try await run(definition, plan, readers: readers)

        #expect(summary.exitCode == 3)
        #expect(summary.total.filesFailed == 1)
        #expect(try query(dir.path("db.sqlite"), "SELECT attempts, state FROM sluice_files") == [["4", "failed"]])
    }

    @Test func aPermanentlyBadFileIsQuarantinedAfterOneAttempt() async throws {
        let dir = try TemporaryDirectory()
        let folder = dir.url.appendingPathComponent("suppliers/acme")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("not gzip".utf8).write(to: folder.appendingPathComponent("bad.csv.gz"))
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["retry={max_attempts: 5, initial_delay: 5ms}"])

        let (summary, _) = try await run(definition, plan, readers: ScriptedReaders())

        #expect(summary.total.filesQuarantined == 1)
        #expect(try query(dir.path("db.sqlite"), "SELECT attempts, state FROM sluice_files") == [["1", "quarantined"]])
    }

    @Test func theBreakerPausesAFailingSupplierWhileOthersGoOn() async throws {
        let dir = try TemporaryDirectory()
        try smallSupplierFiles(dir, suppliers: ["broken", "healthy"], files: 6)
        let (definition, plan) = try pipeline(
            suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
            ["retry={max_attempts: 1}", "breaker={failures: 2, cool_down: 300ms}",
             "limits.per_supplier_concurrency=1", "limits.max_concurrency=2"])
        let readers = ScriptedReaders(
            delay: { _ in .milliseconds(10) },
            failure: { file, _ in
                // The first three files of `broken` fail; after the pause it recovers.
                file.supplier == "broken" && ["f1.csv", "f2.csv", "f3.csv"].contains(file.relativePath)
                    ? ReadError(.io, "connection reset") : nil
            })

        let (summary, warehouse) = try await run(definition, plan, readers: readers)

        let broken = summary.suppliers.first { $0.supplier == "broken" }!
        let healthy = summary.suppliers.first { $0.supplier == "healthy" }!
        #expect(broken.breakerOpenings == 2, "opened after f1+f2, re-opened when half-open f3 failed")
        #expect(broken.filesFailed == 3)
        #expect(broken.rows.loaded == 3, "after the cool-down the breaker closes and f4-f6 load")
        #expect(healthy.rows.loaded == 6)
        #expect(healthy.breakerOpenings == 0)
        let timeline = try warehouse.timeline()
        let healthyDone = timeline.filter { $0.supplier == "healthy" }.map(\.finishedAt).max()!
        let brokenLast = timeline.filter { $0.supplier == "broken" }.map(\.startedAt).max()!
        #expect(healthyDone < brokenLast, "the healthy supplier finished while the broken one was paused")
        #expect(try readStatus(definition).first { $0.supplier == "broken" }?.breakerOpenings == 2)
    }
}
