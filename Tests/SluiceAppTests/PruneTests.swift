import Foundation
import SluiceApp
import SluiceCore
@testable import SluiceSQLite
import Testing

/// `sluice prune`: only records of old finished files gone from the source go, and a pruned
/// file delivered again is not loaded blindly.
@Suite struct PruneTests {
    let dir: TemporaryDirectory
    let header = "order_id,sku,product_name,quantity,unit_price,currency,order_date\n"

    init() throws { dir = try TemporaryDirectory() }

    var database: String { dir.path("db.sqlite") }

    func deliver(_ name: String, ids: ClosedRange<Int>) throws {
        let rows = ids.map { "\($0),ABC-\(100_000 + $0),Thing \($0),3,1.50,EUR,2026-01-02\n" }.joined()
        try writeSupplierFile(dir, name, header + rows)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: dir.path("suppliers/acme/\(name)")) }

    func definition(_ overrides: [String] = []) throws -> (PipelineDefinition, OutputPlan) {
        try pipeline(suppliers: dir.path("suppliers"), database: database, overrides)
    }

    @discardableResult
    func load(_ overrides: [String] = [], source: (any FileSource)? = nil) async throws -> RunSummary {
        let (definition, plan) = try definition(overrides)
        return try await runBatch(definition, plan, source: source).0
    }

    func prune(dryRun: Bool = false) async throws -> PruneResult {
        try await prunePipeline(try definition().0, olderThan: .seconds(30 * 86_400), dryRun: dryRun, options: RunOptions())
    }

    /// Dates every record's finish (and settle) `days` ago.
    func age(_ paths: [String], days: Double) throws {
        let time = Date().timeIntervalSince1970 - days * 86_400
        let list = paths.map { "'\($0)'" }.joined(separator: ",")
        try execute(database, "UPDATE sluice_files SET finished_at = \(time), settled_at = CASE WHEN settled_at IS NULL THEN NULL ELSE \(time) END WHERE path IN (\(list))")
    }

    func records() throws -> [String] {
        try query(database, "SELECT path FROM sluice_files ORDER BY path").map { $0[0]! }
    }

    func loadedIDs() throws -> [Int] {
        try query(database, "SELECT order_id FROM staging_orders ORDER BY order_id").map { Int($0[0]!)! }
    }

    @Test func onlyOldFinishedFilesGoneFromTheSourceArePruned() async throws {
        for (index, name) in ["gone-old.csv", "gone-old-2.csv", "present-old.csv", "gone-recent.csv"].enumerated() {
            try deliver(name, ids: (index * 10 + 1)...(index * 10 + 3))
        }
        try await load()
        // A file that vanished between listing and reading failed: it is retried, never pruned.
        try deliver("failed-old.csv", ids: 90...91)
        let (definition, _) = try definition()
        let vanishing = VanishingSource(inner: try DirectorySource(definition: definition.source), vanishing: "failed-old.csv")
        try await load(source: vanishing)
        #expect(try query(database, "SELECT state FROM sluice_files WHERE path = 'failed-old.csv'") == [["failed"]])
        for name in ["gone-old.csv", "gone-old-2.csv", "gone-recent.csv"] { try remove(name) }
        try age(["gone-old.csv", "gone-old-2.csv", "present-old.csv", "failed-old.csv"], days: 40)
        let rowsBefore = try loadedIDs()

        let preview = try await prune(dryRun: true)
        #expect(preview.paths == 2 && preview.records == 2 && preview.stillPresent == 1)
        #expect(try records().count == 5, "a dry run changes nothing")

        let result = try await prune()
        #expect(result == preview)
        #expect(try records() == ["failed-old.csv", "gone-recent.csv", "present-old.csv"])
        #expect(try query(database, "SELECT path FROM sluice_pruned ORDER BY path") == [["gone-old-2.csv"], ["gone-old.csv"]])
        #expect(try loadedIDs() == rowsBefore, "the staging table keeps every row")
        #expect(try await prune().paths == 0, "pruning again finds nothing")
        #expect(try await load().total.rows.loaded == 0, "the file still present is not loaded again")
    }

    @Test func theNewestRecordStaysSoNoIDIsGivenTwice() async throws {
        try deliver("a.csv", ids: 1...2)
        try await load()
        try deliver("b.csv", ids: 3...4)
        try await load()
        let newest = try scalar(database, "SELECT MAX(id) FROM sluice_files")
        for name in ["a.csv", "b.csv"] { try remove(name) }
        try age(["a.csv", "b.csv"], days: 40)
        #expect(try await prune().paths == 1, "b.csv holds the highest id")
        try deliver("c.csv", ids: 5...5)
        try await load()
        #expect(try scalar(database, "SELECT id FROM sluice_files WHERE path = 'c.csv'") > newest,
                "staged rows and quarantine entries keep their file's id: a new file never takes it")
    }

    @Test func aQuarantinedFileWhoseGoodRowsStayIsNotPruned() async throws {
        try deliver("a.csv", ids: 1...3)
        try deliver("z.csv", ids: 9...9)
        try await load()
        // As on_corrupt: keep_good_rows leaves it: quarantined, its good rows staged.
        try execute(database, "UPDATE sluice_files SET state = 'quarantined' WHERE path = 'a.csv'")
        try remove("a.csv")
        try age(["a.csv"], days: 40)
        #expect(try await prune().paths == 0, "a new version must still find it and take its rows out")
    }

    @Test func aPrunedFileDeliveredAgainIsNotLoadedTwiceAndChangedContentMeetsOnChange() async throws {
        try deliver("a.csv", ids: 1...3)
        try await load()
        try deliver("z.csv", ids: 9...9)
        try await load()
        try remove("a.csv")
        try age(["a.csv"], days: 40)
        #expect(try await prune().paths == 1)

        try deliver("a.csv", ids: 1...3)
        let again = try await load()
        #expect(again.total.rows.loaded == 0)
        #expect(try loadedIDs() == [1, 2, 3, 9])
        #expect(try query(database, "SELECT state FROM sluice_files WHERE path = 'a.csv'") == [["duplicate"]])

        try deliver("a.csv", ids: 1...4)
        let changed = try await load()
        #expect(changed.total.rows.loaded == 0)
        #expect(try loadedIDs() == [1, 2, 3, 9])
        let reason = try query(database, "SELECT reason FROM sluice_quarantine WHERE kind = 'file'").first?[0] ?? nil
        #expect(reason?.contains("changed after it was loaded") == true)
    }

    @Test func aPrunedFileChangedUnderReloadReplacesItsOldRows() async throws {
        try deliver("a.csv", ids: 1...3)
        try deliver("b.csv", ids: 10...11)
        try await load()
        try remove("a.csv")
        try age(["a.csv"], days: 40)
        #expect(try await prune().paths == 1)
        try deliver("a.csv", ids: 5...8)
        let reloaded = try await load(["source.on_change=reload"])
        #expect(reloaded.total.rows.loaded == 4)
        #expect(try loadedIDs() == [5, 6, 7, 8, 10, 11])
        #expect(try scalar(database, "SELECT COUNT(*) FROM sluice_pruned") == 0, "the new record now speaks for the path")
    }

    @Test func statusShowsWaitingQueuedAndLastCommit() async throws {
        try deliver("a.csv", ids: 1...3)
        try await load()
        try deliver("b.csv", ids: 4...5)
        let (definition, _) = try definition()
        var status = try readStatus(definition)
        #expect(status.map(\.waiting) == [1], "b.csv is in the directory but not registered")
        #expect(status[0].oldestQueuedAt == nil)
        let lastCommit = try #require(status[0].lastCommitAt)
        #expect(abs(lastCommit - Date().timeIntervalSince1970) < 600)

        let registeredAt = Date().timeIntervalSince1970 - 90
        let store = try openWarehouse(definition)
        let source = try DirectorySource(definition: definition.source)
        let found = try source.discover().files.filter { $0.relativePath == "b.csv" }
        _ = try store.register(found, onChange: .fail, onDuplicate: .load, at: registeredAt)
        status = try readStatus(definition)
        #expect(status.map(\.waiting) == [0])
        #expect(status[0].oldestQueuedAt == registeredAt)
        let table = describeStatus(status, now: registeredAt + 95)
        #expect(table.contains("oldest queued") && table.contains("1m35s"))
    }
}
