import Foundation
import SluiceCore
import SluiceSQLite
@testable import SluicePostgres
import Testing

/// One behaviour for every backend: the same calls through the engine's async `Warehouse`
/// give the same records, states, counts and quarantine in memory, in a real SQLite file and
/// in a real PostgreSQL server.
@Suite struct WarehouseConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A fresh, empty store of one backend, and a way to count its staged rows (none in memory).
    final class Subject {
        let store: any Warehouse
        let stagedRows: () throws -> Int?
        private let keepAlive: [AnyObject]

        init(_ backend: Backend) throws {
            switch backend {
            case .memory:
                store = OffPoolWarehouse(MemoryWarehouse())
                stagedRows = { nil }
                keepAlive = []
            case .sqlite:
                let dir = try TemporaryDirectory()
                let path = dir.path("store.sqlite")
                store = OffPoolWarehouse(try SQLiteWarehouse(path: path, pipeline: "p", table: "staged"))
                stagedRows = { try scalar(path, "SELECT COUNT(*) FROM staged") }
                keepAlive = [dir]
            case .postgres:
                let server = try PostgresServer()
                let settings = PostgresSettings(host: server.socketFolder, database: "postgres", user: "postgres")
                store = OffPoolWarehouse(try PostgresWarehouse(settings: settings, pipeline: "p", table: "staged"))
                let connection = try PostgresConnection(settings)
                stagedRows = { Int(try connection.query("SELECT count(*) FROM staged").int(0, 0)) }
                keepAlive = [server, connection]
            }
        }
    }

    static let columns = [OutputColumn(name: "n", type: .integer), OutputColumn(name: "s", type: .text)]

    func file(_ path: String, size: Int64 = 100, fingerprint: String = "f1", supplier: String = "acme") -> DiscoveredFile {
        DiscoveredFile(supplier: supplier, relativePath: path, directory: "/nowhere", size: size, modified: 1,
                       fingerprint: fingerprint, isGzip: false)
    }

    /// One batch of `rows` rows of a file, resuming at the row after them.
    func batch(_ record: FileRecord, rows: Range<Int>, quarantined: [QuarantinedRow] = [], completion: FileCompletion? = nil,
               started: Double? = nil) -> LoadBatch {
        var table = RowBatch(columnCount: 2)
        for row in rows {
            table.cells.append(.integer(Int64(row)))
            let text = Array("row \(row)\twith a tab".utf8)
            table.cells.append(text.withUnsafeBufferPointer { table.appendText($0) })
            table.rowNumbers.append(Int64(row + 1))
        }
        var progress = FileProgress(fileID: record.id, next: ResumePoint(offset: Int64(rows.upperBound * 10), line: rows.upperBound + 2,
                                                                         rowsBefore: rows.upperBound + quarantined.count))
        progress.rows = RowCounts(read: rows.count + quarantined.count, loaded: rows.count, quarantined: quarantined.count)
        progress.completion = completion
        progress.startedAt = started
        progress.finishedAt = completion == nil ? nil : 10
        return LoadBatch(supplier: record.supplier, file: record.relativePath, rows: table, quarantine: quarantined, progress: progress)
    }

    func register(_ store: any Warehouse, _ files: [DiscoveredFile], onChange: ChangePolicy = .fail,
                  onDuplicate: DuplicatePolicy = .load) async throws -> [FileRecord] {
        try await store.register(files, onChange: onChange, onDuplicate: onDuplicate, at: 5)
    }

    @Test(arguments: Backend.allCases)
    func newFilesAreRegisteredOnceAndKnownAfterwards(backend: Backend) async throws {
        let subject = try Subject(backend)
        let first = try await register(subject.store, [file("a.csv"), file("b.csv", fingerprint: "f2"), file("a.csv")])
        #expect(first.map(\.state) == [.pending, .pending, .pending])
        #expect(first[0].registeredNow && first[1].registeredNow)
        #expect(first[0].id == first[2].id, "one identity listed twice is one record")
        #expect(first[0].id != first[1].id)
        let again = try await register(subject.store, [file("b.csv", fingerprint: "f2"), file("a.csv")])
        #expect(again.map(\.id) == [first[1].id, first[0].id])
        #expect(!again[0].registeredNow && !again[1].registeredNow)
    }

    @Test(arguments: Backend.allCases)
    func commitsAdvanceTheCheckpointAndAResumeStartsThere(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        let record = try await register(subject.store, [file("a.csv")])[0]
        let bad = QuarantinedRow(line: 4, offset: 33, rowNumber: 3, reason: "quantity: not an integer", raw: Array("x,\\y\n".utf8))
        try await subject.store.commit([batch(record, rows: 0..<2, quarantined: [bad], started: 7)], at: 8)
        let resumed = try await register(subject.store, [file("a.csv")])[0]
        #expect(resumed.state == .loading)
        #expect(resumed.next == ResumePoint(offset: 20, line: 4, rowsBefore: 3))
        #expect(resumed.rows == RowCounts(read: 3, loaded: 2, quarantined: 1))
        #expect(resumed.attempts == 1)
        try await subject.store.commit([batch(record, rows: 2..<5, completion: .done)], at: 9)
        let done = try await register(subject.store, [file("a.csv")])[0]
        #expect(done.state == .done)
        #expect(done.rows.loaded == 5)
        #expect(try subject.stagedRows() ?? 5 == 5)
        let quarantine = try await subject.store.quarantine(limit: nil)
        #expect(quarantine.count == 1)
        #expect(quarantine.first?.raw == bad.raw, "the raw row survives byte for byte")
        #expect(quarantine.first?.line == 4 && quarantine.first?.byteOffset == 33 && quarantine.first?.rowNumber == 3)
        let status = try await subject.store.status()
        #expect(status.map(\.supplier) == ["acme"])
        #expect(status.first?.files[.done] == 1)
        #expect(status.first?.rows.loaded == 5 && status.first?.rows.quarantined == 1)
    }

    @Test(arguments: Backend.allCases)
    func aRejectedFileTakesBackItsRowsAndARolledBackFileStartsOver(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        let records = try await register(subject.store, [file("rejected.csv"), file("changed.csv", fingerprint: "f2")])
        try await subject.store.commit([batch(records[0], rows: 0..<4), batch(records[1], rows: 0..<3)], at: 8)
        try await subject.store.commit([batch(records[0], rows: 4..<4, completion: .quarantined(reason: "too many bad rows")),
                                        batch(records[1], rows: 3..<3, completion: .rolledBack(reason: "changed while read"))], at: 9)
        let after = try await register(subject.store, [file("rejected.csv"), file("changed.csv", fingerprint: "f2")])
        #expect(after[0].state == .quarantined)
        #expect(after[0].rows.loaded == 0 && after[0].rows.quarantined == 4, "every row read counts as quarantined")
        #expect(after[1].state == .failed)
        #expect(after[1].next == .start, "a rolled-back file reads again from its first byte")
        #expect(after[1].rows == RowCounts())
        #expect(try subject.stagedRows() ?? 0 == 0, "no row of either file stays staged")
    }

    @Test(arguments: Backend.allCases)
    func aChangedFileMeetsItsPolicy(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        let first = try await register(subject.store, [file("a.csv")])[0]
        try await subject.store.commit([batch(first, rows: 0..<3, completion: .done)], at: 8)

        let failed = try await register(subject.store, [file("a.csv", size: 120, fingerprint: "f2")], onChange: .fail)[0]
        #expect(failed.state == .quarantined)
        #expect(try await subject.store.quarantine(limit: nil).contains { $0.kind == "file" && $0.reason.contains("on_change: fail") })

        let ignored = try await register(subject.store, [file("a.csv", size: 130, fingerprint: "f3")], onChange: .ignore)[0]
        #expect(ignored.state == .ignored)

        let reloaded = try await register(subject.store, [file("a.csv", size: 140, fingerprint: "f4")], onChange: .reload)[0]
        #expect(reloaded.state == .pending)
        let old = try await register(subject.store, [file("a.csv")])[0]
        #expect(old.state == .superseded, "the loaded version gives way")
        #expect(try subject.stagedRows() ?? 0 == 0, "and its rows go with it")
    }

    @Test(arguments: Backend.allCases)
    func anUnfinishedVersionIsSupersededAndALateCommitForItIsRefused(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        let first = try await register(subject.store, [file("a.csv")])[0]
        try await subject.store.commit([batch(first, rows: 0..<2)], at: 8)
        let second = try await register(subject.store, [file("a.csv", size: 200, fingerprint: "f2")])[0]
        #expect(second.state == .pending)
        // The reader of the old version finishes after the new version registered.
        try await subject.store.commit([batch(first, rows: 2..<4, completion: .done)], at: 9)
        let old = try await register(subject.store, [file("a.csv")])[0]
        #expect(old.state == .superseded)
        #expect(old.rows.loaded == 0)
        #expect(try subject.stagedRows() ?? 0 == 0, "no row of the replaced version is staged")
    }

    @Test(arguments: Backend.allCases)
    func twoVersionsInOneListingLeaveTheNewerToLoad(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        let records = try await register(subject.store, [file("a.csv"), file("a.csv", size: 200, fingerprint: "f2")])
        #expect(records.map(\.state) == [.pending, .pending], "each is returned as it was registered")
        let now = try await register(subject.store, [file("a.csv"), file("a.csv", size: 200, fingerprint: "f2")])
        #expect(now.map(\.state) == [.superseded, .pending])
    }

    @Test(arguments: Backend.allCases)
    func theSameContentUnderAnotherNameIsSkippedWhenAsked(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        _ = try await register(subject.store, [file("a.csv")])
        let copy = try await register(subject.store, [file("copy-of-a.csv", supplier: "other")], onDuplicate: .skip)[0]
        #expect(copy.state == .duplicate)
        #expect(copy.lastError?.contains("acme/a.csv") == true)
        let loaded = try await register(subject.store, [file("another-copy.csv")], onDuplicate: .load)[0]
        #expect(loaded.state == .pending)
    }

    @Test(arguments: Backend.allCases)
    func runsAndTheTimelineAreKept(backend: Backend) async throws {
        let subject = try Subject(backend)
        try await subject.store.prepare(columns: Self.columns)
        let run = try await subject.store.beginRun(at: 1)
        let record = try await register(subject.store, [file("a.csv")])[0]
        try await subject.store.commit([batch(record, rows: 0..<1, completion: .done, started: 2)], at: 3)
        try await subject.store.finishRun(run, at: 4, exitCode: 0, summary: "1 loaded", breakerOpenings: [])
        try await subject.store.recordStageLatencies([StageLatency(stage: "commit", count: 1, p50: 0.1, p95: 0.1, p99: 0.1, max: 0.1)], run: run)
        let timeline = try await subject.store.timeline()
        #expect(timeline.map(\.file) == ["a.csv"])
        #expect(timeline.first?.startedAt == 2 && timeline.first?.finishedAt == 10)
    }
}
