import Foundation
import Logging
import SluiceApp
import SluiceCSV
import SluiceCore
@testable import SluiceSQLite
import Testing

/// A reader factory that lets a test act on a file right after it is opened, as a supplier might.
struct MeddlingReaders: RecordReaderFactory {
    let meddle: @Sendable (DiscoveredFile) -> Void

    func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) async throws -> any RecordReader {
        let reader = try CSVReaderFactory().open(file, resume: resume, options: options)
        meddle(file)
        return reader
    }
}

/// Lists the directory, then removes one file before anything opens it.
struct VanishingSource: FileSource {
    let inner: DirectorySource
    let vanishing: String

    var suppliers: [String] { inner.suppliers }

    func discover() throws -> Discovery {
        let found = try inner.discover()
        for file in found.files where file.relativePath == vanishing { try FileManager.default.removeItem(at: file.url) }
        return found
    }
}

@Suite struct SettleAndChangeTests {
    let header = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n"

    func row(_ id: Int) -> String { "\(id),ABC-\(100_000 + id),Thing \(id),3,1.50,EUR,2026-01-02\n" }

    func writeFile(_ dir: TemporaryDirectory, _ name: String, ids: ClosedRange<Int>) throws -> URL {
        let folder = dir.url.appendingPathComponent("suppliers/acme")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try (header + ids.map(row).joined()).write(to: url, atomically: false, encoding: .utf8)
        return url
    }

    func run(_ dir: TemporaryDirectory, _ overrides: [String] = [], readers: (any RecordReaderFactory)? = nil) async throws -> RunSummary {
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"), overrides)
        guard let readers else { return try await runPipeline(definition: definition, plan: plan) }
        return try await runBatch(definition, plan, readers: readers).0
    }

    func loadedIDs(_ dir: TemporaryDirectory) throws -> [Int] {
        try query(dir.path("db.sqlite"), "SELECT order_id FROM staging_orders ORDER BY order_id").map { Int($0[0]!)! }
    }

    @Test func archiveMovesLoadedFilesDurablyAndTheNextRunFindsNothing() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "a.csv", ids: 1...3)
        let archive = ["settle.after_load=archive", "settle.archive_to=\(dir.path("archive"))"]

        let first = try await run(dir, archive)

        #expect(first.total.rows.loaded == 3)
        #expect(!FileManager.default.fileExists(atPath: dir.path("suppliers/acme/a.csv")))
        #expect(FileManager.default.fileExists(atPath: dir.path("archive/acme/a.csv")))
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM sluice_files WHERE settled_at IS NOT NULL AND settle_action = 'archive'") == 1)
        let second = try await run(dir, archive)
        #expect(second.total.files == 0)
        #expect(try loadedIDs(dir) == [1, 2, 3])
    }

    @Test func keptFilesStayUnsettledAndTheNextRunRecordsNothingForThem() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "a.csv", ids: 1...3)
        _ = try await run(dir)
        let second = try await run(dir)
        #expect(second.total.files == 0)
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM sluice_files WHERE settled_at IS NOT NULL") == 0,
                "keep has nothing to settle, on the first run or after it")
        #expect(FileManager.default.fileExists(atPath: dir.path("suppliers/acme/a.csv")))
    }

    @Test func deleteRemovesLoadedFilesButKeepsQuarantinedOnes() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "good.csv", ids: 1...2)
        let folder = dir.url.appendingPathComponent("suppliers/acme")
        try "order_id\n1\n".write(to: folder.appendingPathComponent("bad-header.csv"), atomically: true, encoding: .utf8)

        _ = try await run(dir, ["settle.after_load=delete"])

        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("good.csv").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad-header.csv").path))
    }

    @Test func aCrashBetweenCommitAndArchiveIsFinishedByTheNextRunWithoutLoadingAgain() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "a.csv", ids: 1...3)
        // The first run commits but does not settle, exactly what a crash right after the commit leaves.
        _ = try await run(dir)
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM sluice_files WHERE state = 'done' AND settled_at IS NULL") == 1)

        let second = try await run(dir, ["settle.after_load=archive", "settle.archive_to=\(dir.path("archive"))"])

        #expect(second.total.rows.loaded == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path("archive/acme/a.csv")))
        #expect(try loadedIDs(dir) == [1, 2, 3])
    }

    @Test func aFileChangedAfterLoadIsQuarantinedByDefault() async throws {
        let dir = try TemporaryDirectory()
        let url = try writeFile(dir, "a.csv", ids: 1...3)
        _ = try await run(dir)
        try (header + (1...4).map(row).joined()).write(to: url, atomically: false, encoding: .utf8)

        let second = try await run(dir)

        #expect(second.exitCode == 3)
        #expect(try loadedIDs(dir) == [1, 2, 3])
        let reason = try query(dir.path("db.sqlite"), "SELECT reason FROM sluice_quarantine WHERE kind = 'file'").first?.first ?? nil
        #expect(reason?.contains("acme/a.csv changed after it was loaded") == true)
    }

    /// Loads a.csv with ids 1 to 3, lets `meanwhile` act on the store, then rewrites the file
    /// with ids 10 to 14 and runs again with on_change: reload.
    func reloadAfterChange(_ dir: TemporaryDirectory, meanwhile: () throws -> Void = {}) async throws -> RunSummary {
        let url = try writeFile(dir, "a.csv", ids: 1...3)
        _ = try await run(dir, ["source.on_change=reload"])
        try meanwhile()
        try (header + (10...14).map(row).joined()).write(to: url, atomically: false, encoding: .utf8)
        return try await run(dir, ["source.on_change=reload"])
    }

    /// The detail lines of SQLite's plan for `sql`.
    func queryPlan(_ dir: TemporaryDirectory, _ sql: String) throws -> [String] {
        try query(dir.path("db.sqlite"), "EXPLAIN QUERY PLAN " + sql).compactMap { $0.last ?? nil }
    }

    @Test func onChangeReloadReplacesTheOldRows() async throws {
        let dir = try TemporaryDirectory()

        let second = try await reloadAfterChange(dir)

        #expect(second.exitCode == 0)
        #expect(try loadedIDs(dir) == [10, 11, 12, 13, 14])
    }

    /// Taking a file's rows out (reload, rejection, rollback) reads the row ids its rows were
    /// given, not the whole staging table: the range recorded per file must hold every row.
    @Test func eachFileRecordsTheRowIDRangeOfItsRowsAndTakingThemOutSearchesIt() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "a.csv", ids: 1...30)
        _ = try writeFile(dir, "b.csv", ids: 31...60)
        _ = try await run(dir, ["source.batch_rows=7"])

        let database = dir.path("db.sqlite")
        let ranges = try query(database, """
            SELECT f.first_row_id = MIN(s.rowid) AND f.last_row_id = MAX(s.rowid), COUNT(*)
            FROM sluice_files f JOIN staging_orders s ON s._file_id = f.id GROUP BY f.id
            """)
        #expect(ranges == [["1", "30"], ["1", "30"]])
        let plan = try queryPlan(dir, StoreSQL.deleteFileRows(table: "staging_orders"))
        #expect(plan.contains { $0.contains("SEARCH staging_orders USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)") }, "plan: \(plan)")
    }

    /// A store written before ranges were recorded knows nothing of where old rows lie: they
    /// must still be found when their file is reloaded.
    @Test func aStoreFromBeforeRowIDRangesStillTakesOldRowsOut() async throws {
        let dir = try TemporaryDirectory()

        let second = try await reloadAfterChange(dir) {
            try execute(dir.path("db.sqlite"), """
                ALTER TABLE sluice_files DROP COLUMN first_row_id;
                ALTER TABLE sluice_files DROP COLUMN last_row_id;
                DELETE FROM sluice_migrations WHERE name = 'v5-add-row-id-range';
                """)
        }

        #expect(second.exitCode == 0)
        #expect(try loadedIDs(dir) == [10, 11, 12, 13, 14])
    }

    /// on_duplicate: skip looks for earlier copies of every new file: through an index, or
    /// registering n files would read the file table n times.
    @Test func lookingForEarlierCopiesSearchesAnIndex() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "a.csv", ids: 1...3)
        _ = try await run(dir, ["source.on_duplicate=skip"])
        let plan = try queryPlan(dir, StoreSQL.sameContent)
        #expect(plan.contains { $0.contains("USING INDEX sluice_files_by_content (pipeline=? AND size=? AND fingerprint=?)") }, "plan: \(plan)")
    }

    @Test func onChangeIgnoreKeepsTheOldRowsAndExitsZero() async throws {
        let dir = try TemporaryDirectory()
        let url = try writeFile(dir, "a.csv", ids: 1...3)
        _ = try await run(dir, ["source.on_change=ignore"])
        try (header + (1...5).map(row).joined()).write(to: url, atomically: false, encoding: .utf8)

        let second = try await run(dir, ["source.on_change=ignore"])

        #expect(second.exitCode == 0)
        #expect(try loadedIDs(dir) == [1, 2, 3])
    }

    @Test(arguments: ["append", "replace", "delete"])
    func aFileThatChangesWhileReadIsRolledBackAndLoadedWholeNextTime(_ change: String) async throws {
        let dir = try TemporaryDirectory()
        let url = try writeFile(dir, "a.csv", ids: 1...40)
        let meddler = MeddlingReaders { file in
            switch change {
            case "append":
                let handle = try! FileHandle(forWritingTo: file.url)
                handle.seekToEndOfFile()
                handle.write(Data((41...45).map(row).joined().utf8))
                try! handle.close()
            case "replace":
                try! (header + (100...120).map(row).joined()).write(to: file.url, atomically: true, encoding: .utf8)
            default:
                try! FileManager.default.removeItem(at: file.url)
            }
        }

        // Small batches, so some of the old content is committed before the change is noticed.
        let first = try await run(dir, ["source.batch_rows=5"], readers: meddler)

        #expect(first.total.filesFailed == 1)
        #expect(try loadedIDs(dir).isEmpty, "no row of a file that changed under the reader may stay")
        let second = try await run(dir, ["source.batch_rows=5"])
        let expected: [Int] = switch change {
        case "append": Array(1...45)
        case "replace": Array(100...120)
        default: []
        }
        #expect(try loadedIDs(dir) == expected)
        _ = url
        _ = second
    }

    @Test func aFileVanishingBetweenListingAndOpeningIsReportedAndNothingLoads() async throws {
        let dir = try TemporaryDirectory()
        _ = try writeFile(dir, "gone.csv", ids: 1...3)
        _ = try writeFile(dir, "stays.csv", ids: 4...5)
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["retry={max_attempts: 2, initial_delay: 5ms}"])
        let source = VanishingSource(inner: try DirectorySource(definition: definition.source), vanishing: "gone.csv")

        let (summary, _) = try await runBatch(definition, plan, source: source)

        #expect(summary.exitCode == 3)
        #expect(summary.total.filesFailed == 1)
        #expect(try loadedIDs(dir) == [4, 5])
        let state = try query(dir.path("db.sqlite"), "SELECT state, attempts, last_error FROM sluice_files WHERE path = 'gone.csv'")
        #expect(state.first?[0] == "failed")
        #expect(state.first?[1] == "1", "a vanished file is not retried within the run")
        #expect((state.first?[2] ?? nil)?.contains("not found") == true)
    }

    @Test func aNewVersionOfAFileThatNeverFinishedReplacesItsRows() async throws {
        let dir = try TemporaryDirectory()
        let url = try writeFile(dir, "a.csv", ids: 1...40)
        // The first attempt commits some batches, then the read fails for good in this run.
        let failing = FailingReaders(failAfterRows: 22)
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: dir.path("db.sqlite"),
                                              ["source.batch_rows=5", "retry={max_attempts: 1}"])
        _ = try await runBatch(definition, plan, readers: failing)
        #expect(try loadedIDs(dir).count == 20, "four batches of five committed before the failure")

        try (header + (100...103).map(row).joined()).write(to: url, atomically: true, encoding: .utf8)
        let second = try await run(dir)

        #expect(second.exitCode == 0)
        #expect(try loadedIDs(dir) == [100, 101, 102, 103], "the unfinished old version's rows are gone")
        #expect(try query(dir.path("db.sqlite"), "SELECT state FROM sluice_files ORDER BY id") == [["superseded"], ["done"]])
    }
}

/// The real reader, failing with an I/O error after a number of rows.
struct FailingReaders: RecordReaderFactory {
    let failAfterRows: Int

    func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) async throws -> any RecordReader {
        FailingReader(inner: try CSVReaderFactory().open(file, resume: resume, options: options), remaining: failAfterRows)
    }
}

final class FailingReader: RecordReader {
    let inner: any RecordReader
    var remaining: Int

    init(inner: any RecordReader, remaining: Int) {
        self.inner = inner
        self.remaining = remaining
    }

    var header: [String] { inner.header }

    func next(into row: inout RawRow) throws -> ReadResult {
        guard remaining > 0 else { throw ReadError(.io, "the disk went away") }
        remaining -= 1
        return try inner.next(into: &row)
    }

    func close() { inner.close() }
}
