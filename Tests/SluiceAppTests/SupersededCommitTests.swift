import Foundation
import SluiceCore
import SluiceSQLite
import Testing

/// A stream registers new versions while older ones are still being read: a version replaced
/// in the meantime commits nothing more, so the two never stand side by side.
@Suite struct SupersededCommitTests {
    @Test func aBatchOfAVersionSupersededWhileItWasReadCommitsNothing() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteWarehouse(path: dir.path("db.sqlite"), pipeline: "p", table: "staged")
        try store.prepare(columns: [OutputColumn(name: "id", type: .integer)])
        func version(size: Int64) -> DiscoveredFile {
            DiscoveredFile(supplier: "acme", relativePath: "a.csv", directory: dir.url.path, size: size, modified: 1,
                           fingerprint: "f\(size)", isGzip: false)
        }
        let first = try store.register([version(size: 10)], onChange: .fail, onDuplicate: .load, at: 1)[0]
        // The supplier rewrote the file while the first version was read: the new version replaces it.
        let second = try store.register([version(size: 20)], onChange: .fail, onDuplicate: .load, at: 2)[0]
        #expect(second.state == .pending)
        var progress = FileProgress(fileID: first.id, next: ResumePoint(offset: 10, line: 3, rowsBefore: 1))
        progress.rows.read = 1
        progress.rows.quarantined = 1
        progress.completion = .done
        let late = LoadBatch(supplier: "acme", file: "a.csv", rows: RowBatch(columnCount: 1),
                             quarantine: [QuarantinedRow(line: 2, offset: 3, rowNumber: 1, reason: "bad", raw: Array("x\n".utf8))],
                             progress: progress)
        try store.commit([late], at: 3)
        #expect(try query(dir.path("db.sqlite"), "SELECT state, rows_read FROM sluice_files ORDER BY id") == [["superseded", "0"], ["pending", "0"]])
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM sluice_quarantine") == 0)
    }
}
