import CSQLite
import Foundation
import SluiceCore
import Synchronization

/// The embedded default: staging table, quarantine and checkpoints in one SQLite file,
/// so one transaction covers rows and offsets.
///
/// One connection: the loader's commits and a stream's registrations take turns through
/// `serialized`, which is what makes it `@unchecked Sendable`.
public final class SQLiteWarehouse: BlockingWarehouse, @unchecked Sendable {
    let database: SQLiteDatabase
    let pipeline: String
    let table: String
    private var inserter: RowInserter?
    /// The run in progress, stamped on the files it starts.
    var currentRun: Int64?
    let statements: StatementCache
    /// Writers take turns on the one connection.
    private let writer = Mutex(())

    /// Opens the database, turns on WAL and applies migrations; `readOnly` opens an existing
    /// store for reports without creating or changing anything.
    /// - Throws: `StoreError` when the file cannot be opened or written, or (read-only) does not exist.
    public init(path: String, pipeline: String, table: String, readOnly: Bool = false) throws {
        self.pipeline = pipeline
        self.table = table
        if readOnly {
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreError("no store at \(path): has `sluice run` loaded this pipeline yet?")
            }
            database = try SQLiteDatabase(path: path, readOnly: true)
            statements = StatementCache(database: database)
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        database = try SQLiteDatabase(path: path)
        statements = StatementCache(database: database)
        // WAL lets readers (status, reports) work during a run; FULL makes every commit durable
        // before the loader acknowledges it, which settle actions that move files rely on.
        try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        try Migrations.apply(to: database)
    }

    public var location: String { database.path }

    // MARK: Sink

    public func prepare(columns: [OutputColumn]) throws {
        let lineage: [(name: String, type: String)] = [("_supplier", "TEXT"), ("_file", "TEXT"), ("_file_id", "INTEGER"), ("_row", "INTEGER")]
        let all = columns.map { (name: $0.name, type: Self.sqlType($0.type)) } + lineage
        var existing: [String] = []
        let info = try database.prepare("SELECT name FROM pragma_table_info(?)")
        info.bind(1, table)
        try info.rows { existing.append($0.string(0) ?? "") }
        if existing.isEmpty {
            let definitions = all.map { "\(sqlIdentifier($0.name)) \($0.type)" }.joined(separator: ", ")
            try database.execute("CREATE TABLE \(sqlIdentifier(table)) (\(definitions))")
        } else if StagingColumns.lacksOnlyExtra(existing, all.map(\.name)) {
            try database.execute("ALTER TABLE \(sqlIdentifier(table)) ADD COLUMN \(sqlIdentifier(OutputPlan.extraColumn)) TEXT")
        } else if !StagingColumns.matches(existing, all.map(\.name)) {
            throw StoreError("table \(table) in \(database.path) has columns (\(existing.joined(separator: ", "))) but the pipeline produces (\(all.map(\.name).joined(separator: ", "))); load into a new table or drop the old one")
        }
        inserter = try RowInserter(database: database, table: table, outputColumns: all.map(\.name), columnCount: columns.count)
    }

    /// SQLite has one writer and no leases: no batch is ever refused for one.
    public func commit(_ batches: [LoadBatch], at time: Double) throws -> Set<Int64> {
        try serialized { try commitGroup(batches, at: time) }
        return []
    }

    private func commitGroup(_ batches: [LoadBatch], at time: Double) throws {
        guard let inserter else { throw StoreError("commit before prepare") }
        try database.transaction {
            for batch in batches {
                if let action = batch.settled {
                    try recordSettled(batch.progress.fileID, action: action, at: time)
                    continue
                }
                // A newer version replaced this one while it was being read (a stream registers
                // while files load): its rows are already gone, and none may come back.
                if !VersionPolicy.acceptsCommit(in: try state(of: batch.progress.fileID)) { continue }
                let rowIDs = try inserter.insert(batch)
                try record(batch, rowIDs: rowIDs, at: time)
                if let reading = batch.progress.reading { try record(reading, of: batch.progress.fileID) }
            }
        }
    }

    /// Quarantined rows and the file's checkpoint, in the caller's transaction.
    private func record(_ batch: LoadBatch, rowIDs: ClosedRange<Int64>?, at time: Double) throws {
        let progress = batch.progress
        for row in batch.quarantine {
            let wholeFile = row.rowNumber == 0
            try insertQuarantine(fileID: progress.fileID, supplier: batch.supplier, file: batch.file,
                                 line: row.line == 0 ? nil : row.line,
                                 offset: wholeFile && row.offset == 0 ? nil : row.offset,
                                 rowNumber: wholeFile ? nil : row.rowNumber, reason: row.reason,
                                 raw: wholeFile ? nil : row.raw, at: time)
        }
        let update = try statements(StoreSQL.advanceFile)
        update.bind(1, progress.next.offset)
        update.bind(2, progress.next.line)
        update.bind(3, progress.next.rowsBefore)
        update.bind(4, progress.rows.read)
        update.bind(5, progress.rows.loaded)
        update.bind(6, progress.rows.quarantined)
        update.bind(7, progress.rows.filtered)
        update.bind(8, progress.startedAt)
        let outcome = CompletionOutcome(progress.completion)
        update.bind(9, outcome.state.rawValue)
        update.bind(10, outcome.error)
        update.bind(11, outcome.finished ? progress.finishedAt ?? time : nil)
        update.bind(12, progress.fileID)
        update.bind(13, progress.queuedAt)
        update.bind(14, currentRun)
        update.bind(15, progress.rowsInvalid)
        update.bind(16, rowIDs?.lowerBound)
        update.bind(17, rowIDs?.upperBound)
        update.bind(18, progress.next.blankLinesBefore)
        update.bind(19, time)
        try update.run()
        switch outcome.cleanup {
        case .rejectFile:
            try run(StoreSQL.deleteFileRows(table: table), progress.fileID)
            try run(StoreSQL.quarantineAllRows, progress.fileID)
        case .rollBack:
            try run(StoreSQL.deleteFileRows(table: table), progress.fileID)
            try run(StoreSQL.deleteRowQuarantine, progress.fileID)
            try run(StoreSQL.resetFile, progress.fileID)
        case .none:
            break
        }
    }

    /// One quarantine entry: a row (with its raw text) or a whole file (`rowNumber` nil).
    func insertQuarantine(fileID: Int64, supplier: String, file: String, line: Int?, offset: Int64?,
                          rowNumber: Int?, reason: String, raw: [UInt8]?, at time: Double) throws {
        let insert = try statements(StoreSQL.insertQuarantine)
        insert.bind(1, pipeline)
        insert.bind(2, fileID)
        insert.bind(3, supplier)
        insert.bind(4, file)
        insert.bind(5, rowNumber == nil ? "file" : "row")
        insert.bind(6, line)
        insert.bind(7, offset)
        insert.bind(8, rowNumber)
        insert.bind(9, reason)
        // Text when it is UTF-8 (bound with its length, so a NUL inside survives), bytes otherwise.
        if let raw, String(validating: raw, as: UTF8.self) != nil {
            insert.bind(10, utf8: raw)
        } else if let raw {
            _ = raw.withUnsafeBytes { sqlite3_bind_blob(insert.handle, 10, $0.baseAddress, Int32($0.count), sqliteTransient) }
        } else {
            insert.bind(10, nil as String?)
        }
        insert.bind(11, time)
        try insert.run()
    }

    private func state(of fileID: Int64) throws -> FileState {
        let query = try statements(StoreSQL.fileState)
        query.bind(1, fileID)
        var state = FileState.pending
        try query.rows { state = FileState(rawValue: $0.string(0) ?? "") ?? .pending }
        return state
    }

    func run(_ sql: String, _ fileID: Int64) throws {
        let statement = try statements(sql)
        statement.bind(1, fileID)
        try statement.run()
    }

    private func recordSettled(_ fileID: Int64, action: SettleDefinition.Action, at time: Double) throws {
        let update = try statements(StoreSQL.markSettled)
        update.bind(1, time)
        update.bind(2, action.rawValue)
        update.bind(3, fileID)
        try update.run()
    }

    /// Runs `body` while no other writer uses the connection.
    func serialized<T>(_ body: () throws -> T) throws -> T {
        try writer.withLock { _ in try body() }
    }

    static func fileRecord(_ row: SQLiteRow) -> FileRecord {
        var record = FileRecord(
            id: row.int(0), supplier: row.string(1) ?? "", relativePath: row.string(2) ?? "", size: row.int(3),
            fingerprint: row.string(4) ?? "", state: FileState(rawValue: row.string(5) ?? "") ?? .pending,
            next: ResumePoint(offset: row.int(6), line: Int(row.int(7)), rowsBefore: Int(row.int(8)),
                              blankLinesBefore: Int(row.int(17))),
            rows: RowCounts(read: Int(row.int(9)), loaded: Int(row.int(10)), quarantined: Int(row.int(11)),
                            filtered: Int(row.int(12)), blankLinesSkipped: Int(row.int(17))),
            attempts: Int(row.int(13)), lastError: row.string(14),
            settled: row.int(15) != 0)
        record.rowsInvalid = Int(row.int(16))
        record.readWith = row.string(18)
        return record
    }
}

extension SQLiteWarehouse {
    /// SQLite's storage class for a logical type: decimals as REAL, dates and timestamps as their ISO text.
    static func sqlType(_ type: LogicalType) -> String {
        switch type {
        case .integer, .boolean: "INTEGER"
        case .decimal: "REAL"
        case .date, .timestamp, .text, .json: "TEXT"
        }
    }
}
