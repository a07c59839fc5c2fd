import CSQLite
import Foundation
import SluiceCore

/// The embedded default: staging table, quarantine and checkpoints in one SQLite file,
/// so one transaction covers rows and offsets.
///
/// Used by one task at a time (the loader during a run), hence `@unchecked Sendable`.
public final class SQLiteWarehouse: Sink, CheckpointStore, @unchecked Sendable {
    private let database: SQLiteDatabase
    private let pipeline: String
    private let table: String
    private var insertRow: SQLiteStatement?
    private var columnCount = 0
    /// The run in progress, stamped on the files it starts.
    private var currentRun: Int64?
    private let statements: StatementCache

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

    // MARK: Sink

    public func prepare(columns: [OutputColumn]) throws {
        let lineage: [(name: String, type: String)] = [("_supplier", "TEXT"), ("_file", "TEXT"), ("_file_id", "INTEGER"), ("_row", "INTEGER")]
        let all = columns.map { (name: $0.name, type: $0.storage.rawValue) } + lineage
        var existing: [String] = []
        let info = try database.prepare("SELECT name FROM pragma_table_info(?)")
        info.bind(1, table)
        try info.rows { existing.append($0.string(0) ?? "") }
        if existing.isEmpty {
            let definitions = all.map { "\(quoted($0.name)) \($0.type)" }.joined(separator: ", ")
            try database.execute("CREATE TABLE \(quoted(table)) (\(definitions))")
        } else if existing != all.map(\.name) {
            throw StoreError("table \(table) in \(database.path) has columns (\(existing.joined(separator: ", "))) but the pipeline produces (\(all.map(\.name).joined(separator: ", "))); load into a new table or drop the old one")
        }
        let placeholders = Array(repeating: "?", count: all.count).joined(separator: ", ")
        insertRow = try database.prepare(
            "INSERT INTO \(quoted(table)) (\(all.map { quoted($0.name) }.joined(separator: ", "))) VALUES (\(placeholders))")
        columnCount = columns.count
    }

    public func commit(_ batches: [LoadBatch], at time: Double) throws {
        guard let insertRow else { throw StoreError("commit before prepare") }
        try database.transaction {
            for batch in batches {
                if let action = batch.settled {
                    try recordSettled(batch.progress.fileID, action: action, at: time)
                    continue
                }
                try insert(batch, with: insertRow)
                try record(batch, at: time)
            }
        }
    }

    /// The hot path: binds straight from the batch arena without copying (`SQLITE_STATIC`).
    private func insert(_ batch: LoadBatch, with statement: SQLiteStatement) throws {
        let rows = batch.rows
        guard rows.rowCount > 0 else { return }
        let handle = statement.handle
        let lineage = Int32(columnCount)
        sqlite3_bind_text(handle, lineage + 1, batch.supplier, -1, sqliteTransient)
        sqlite3_bind_text(handle, lineage + 2, batch.file, -1, sqliteTransient)
        sqlite3_bind_int64(handle, lineage + 3, batch.progress.fileID)
        defer { sqlite3_clear_bindings(handle) }
        try rows.arena.withUnsafeBufferPointer { arena in
            let base = arena.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(emptyText.utf8Start)
            try rows.cells.withUnsafeBufferPointer { cells in
                var cell = 0
                for row in 0..<rows.rowCount {
                    for column in 1...Int32(columnCount) {
                        switch cells[cell] {
                        case .null: sqlite3_bind_null(handle, column)
                        case .integer(let value): sqlite3_bind_int64(handle, column, value)
                        case .real(let value): sqlite3_bind_double(handle, column, value)
                        case .text(let start, let count):
                            sqlite3_bind_text(handle, column, (base + Int(start)).assumingMemoryBound(to: CChar.self), count, sqliteStatic)
                        }
                        cell += 1
                    }
                    sqlite3_bind_int64(handle, lineage + 4, rows.rowNumbers[row])
                    let status = sqlite3_step(handle)
                    sqlite3_reset(handle)
                    guard status == SQLITE_DONE else {
                        throw StoreError("cannot insert into \(table) in \(database.path): \(database.lastError)")
                    }
                }
            }
        }
    }

    /// Quarantined rows and the file's checkpoint, in the caller's transaction.
    private func record(_ batch: LoadBatch, at time: Double) throws {
        let progress = batch.progress
        let quarantine = try statements(StoreSQL.insertQuarantine)
        for row in batch.quarantine {
            quarantine.bind(1, pipeline)
            quarantine.bind(2, progress.fileID)
            quarantine.bind(3, batch.supplier)
            quarantine.bind(4, batch.file)
            quarantine.bind(5, row.rowNumber == 0 ? "file" : "row")
            quarantine.bind(6, row.line == 0 ? nil : row.line)
            quarantine.bind(7, row.rowNumber == 0 && row.offset == 0 ? nil : row.offset)
            quarantine.bind(8, row.rowNumber == 0 ? nil : row.rowNumber)
            quarantine.bind(9, row.reason)
            // Text when it is UTF-8 (bound with its length, so a NUL inside survives), bytes otherwise.
            if row.rowNumber == 0 {
                quarantine.bind(10, nil as String?)
            } else if String(validating: row.raw, as: UTF8.self) != nil {
                quarantine.bind(10, utf8: row.raw)
            } else {
                _ = row.raw.withUnsafeBytes { sqlite3_bind_blob(quarantine.handle, 10, $0.baseAddress, Int32($0.count), sqliteTransient) }
            }
            quarantine.bind(11, time)
            try quarantine.run()
        }
        let update = try statements(StoreSQL.advanceFile)
        update.bind(1, progress.next.offset)
        update.bind(2, progress.next.line)
        update.bind(3, progress.next.rowsBefore)
        update.bind(4, progress.rowsRead)
        update.bind(5, progress.rowsLoaded)
        update.bind(6, progress.rowsQuarantined)
        update.bind(7, progress.rowsFiltered)
        update.bind(8, progress.startedAt)
        let (state, error): (FileState, String?) = switch progress.completion {
        case nil: (.loading, nil)
        case .done: (.done, nil)
        case .quarantined(let reason): (.quarantined, reason)
        case .failed(let reason): (.failed, reason)
        case .rolledBack(let reason): (.failed, reason)
        case .empty: (.empty, "the file is empty")
        case .damaged(let reason): (.quarantined, reason)
        }
        update.bind(9, state.rawValue)
        update.bind(10, error)
        update.bind(11, progress.completion == nil ? nil : progress.finishedAt ?? time)
        update.bind(12, progress.fileID)
        update.bind(13, progress.queuedAt)
        update.bind(14, currentRun)
        update.bind(15, progress.rowsInvalid)
        try update.run()
        switch progress.completion {
        case .quarantined:
            // A rejected file loads nothing: take back rows earlier batches committed.
            try run(StoreSQL.deleteFileRows(table: table), progress.fileID)
            try run(StoreSQL.quarantineAllRows, progress.fileID)
        case .rolledBack:
            // The content changed under the reader: nothing read from it may stay.
            try run(StoreSQL.deleteFileRows(table: table), progress.fileID)
            try run(StoreSQL.deleteRowQuarantine, progress.fileID)
            try run(StoreSQL.resetFile, progress.fileID)
        default:
            break
        }
    }

    private func run(_ sql: String, _ fileID: Int64) throws {
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

    // MARK: CheckpointStore

    public func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                         at time: Double) throws -> [FileRecord] {
        try database.transaction {
            try files.map { file in
                if let known = try lookup(file) { return known }
                let insert = try statements(StoreSQL.insertFile)
                insert.bind(1, pipeline)
                insert.bind(2, file.supplier)
                insert.bind(3, file.relativePath)
                insert.bind(4, file.size)
                insert.bind(5, file.fingerprint)
                insert.bind(6, file.modified)
                insert.bind(7, time)
                try insert.run()
                let id = database.lastInsertRowID
                try supersedeUnfinishedVersions(of: file, newID: id, at: time)
                let loaded = try loadedVersions(of: file, newID: id)
                if !loaded.isEmpty {
                    try handleChange(of: file, newID: id, loaded: loaded, policy: onChange, at: time)
                } else if onDuplicate == .skip, let original = try sameContent(as: file, newID: id) {
                    try markVersion(id, .duplicate, "same content as \(original); not loaded (on_duplicate: skip)", at: time)
                }
                var record = try lookup(file)!
                record.registeredNow = true
                return record
            }
        }
    }

    /// Earlier versions of the same supplier path that loaded: (id, size).
    private func loadedVersions(of file: DiscoveredFile, newID: Int64) throws -> [(Int64, Int64)] {
        let query = try statements(StoreSQL.doneVersions)
        query.bind(1, pipeline)
        query.bind(2, file.supplier)
        query.bind(3, file.relativePath)
        query.bind(4, newID)
        var versions: [(Int64, Int64)] = []
        try query.rows { versions.append(($0.int(0), $0.int(1))) }
        return versions
    }

    /// A new version replaces one that never finished (a crash, a failure, rows kept from a
    /// truncated delivery): its committed rows go, in this same transaction, so the two
    /// versions never stand side by side in the staging table.
    private func supersedeUnfinishedVersions(of file: DiscoveredFile, newID: Int64, at time: Double) throws {
        let query = try statements(StoreSQL.unfinishedVersions)
        query.bind(1, pipeline)
        query.bind(2, file.supplier)
        query.bind(3, file.relativePath)
        query.bind(4, newID)
        var ids: [Int64] = []
        try query.rows { ids.append($0.int(0)) }
        for id in ids {
            try run(StoreSQL.deleteFileRows(table: table), id)
            try markVersion(id, .superseded, "replaced by a new version of the file before it finished loading", at: time)
            try run(StoreSQL.clearLoadedRows, id)
        }
    }

    /// Another file, under any name or supplier, with the same size and fingerprint that is not rejected.
    private func sameContent(as file: DiscoveredFile, newID: Int64) throws -> String? {
        let query = try statements(StoreSQL.sameContent)
        query.bind(1, pipeline)
        query.bind(2, file.size)
        query.bind(3, file.fingerprint)
        query.bind(4, newID)
        var original: String?
        try query.rows { original = "\($0.string(0) ?? "")/\($0.string(1) ?? "")" }
        return original
    }

    /// A file that loaded came back with other content: reject it, ignore it, or replace the old rows.
    private func handleChange(of file: DiscoveredFile, newID: Int64, loaded: [(Int64, Int64)],
                              policy: ChangePolicy, at time: Double) throws {
        let name = "\(file.supplier)/\(file.relativePath)"
        switch policy {
        case .fail:
            let reason = "\(name) changed after it was loaded (was \(loaded[0].1) bytes, now \(file.size)); it is not loaded again (on_change: fail)"
            try markVersion(newID, .quarantined, reason, at: time)
            try quarantineFile(newID, file, reason: reason, at: time)
        case .ignore:
            try markVersion(newID, .ignored, "\(name) changed after it was loaded; ignored (on_change: ignore)", at: time)
        case .reload:
            for (oldID, _) in loaded {
                try run(StoreSQL.deleteFileRows(table: table), oldID)
                try markVersion(oldID, .superseded, "replaced by a new version (on_change: reload)", at: time)
            }
        }
    }

    private func markVersion(_ id: Int64, _ state: FileState, _ reason: String, at time: Double) throws {
        let update = try statements(StoreSQL.markVersion)
        update.bind(1, state.rawValue)
        update.bind(2, reason)
        update.bind(3, time)
        update.bind(4, id)
        try update.run()
    }

    private func quarantineFile(_ id: Int64, _ file: DiscoveredFile, reason: String, at time: Double) throws {
        let quarantine = try statements(StoreSQL.insertQuarantine)
        quarantine.bind(1, pipeline)
        quarantine.bind(2, id)
        quarantine.bind(3, file.supplier)
        quarantine.bind(4, file.relativePath)
        quarantine.bind(5, "file")
        quarantine.bind(6, nil as Int?)
        quarantine.bind(7, nil as Int?)
        quarantine.bind(8, nil as Int?)
        quarantine.bind(9, reason)
        quarantine.bind(10, nil as String?)
        quarantine.bind(11, time)
        try quarantine.run()
    }

    private func lookup(_ file: DiscoveredFile) throws -> FileRecord? {
        let query = try statements(StoreSQL.findFile)
        query.bind(1, pipeline)
        query.bind(2, file.supplier)
        query.bind(3, file.relativePath)
        query.bind(4, file.size)
        query.bind(5, file.fingerprint)
        var found: FileRecord?
        try query.rows { found = Self.fileRecord($0) }
        return found
    }

    public func allFiles() throws -> [FileRecord] {
        var records: [FileRecord] = []
        let query = try database.prepare("SELECT \(StoreSQL.fileColumns) FROM sluice_files WHERE pipeline = ? ORDER BY id")
        query.bind(1, pipeline)
        try query.rows { records.append(Self.fileRecord($0)) }
        return records
    }

    public func beginRun(at time: Double) throws -> Int64 {
        let insert = try database.prepare("INSERT INTO sluice_runs (pipeline, started_at) VALUES (?, ?)")
        insert.bind(1, pipeline)
        insert.bind(2, time)
        try insert.run()
        currentRun = database.lastInsertRowID
        return database.lastInsertRowID
    }

    public func finishRun(_ id: Int64, at time: Double, exitCode: Int32, summary: String,
                          breakerOpenings: [BreakerOpening]) throws {
        try database.transaction {
            let update = try database.prepare("UPDATE sluice_runs SET finished_at = ?, exit_code = ?, summary = ? WHERE id = ?")
            update.bind(1, time)
            update.bind(2, Int64(exitCode))
            update.bind(3, summary)
            update.bind(4, id)
            try update.run()
            let insert = try database.prepare("""
                INSERT INTO sluice_breaker_openings (run_id, pipeline, supplier, opened_at, paused_until) VALUES (?, ?, ?, ?, ?)
                """)
            for opening in breakerOpenings {
                insert.bind(1, id)
                insert.bind(2, pipeline)
                insert.bind(3, opening.supplier)
                insert.bind(4, opening.openedAt)
                insert.bind(5, opening.until)
                try insert.run()
            }
        }
    }

    public func status() throws -> [SupplierStatus] {
        var bySupplier: [String: SupplierStatus] = [:]
        let query = try database.prepare("""
            SELECT supplier, state, COUNT(*), SUM(CASE WHEN state = 'superseded' THEN 0 ELSE rows_loaded END),
                   SUM(rows_quarantined), MAX(finished_at),
                   MAX(CASE WHEN last_error IS NOT NULL THEN last_error END)
            FROM sluice_files WHERE pipeline = ? GROUP BY supplier, state ORDER BY supplier
            """)
        query.bind(1, pipeline)
        try query.rows { row in
            let supplier = row.string(0) ?? ""
            var status = bySupplier[supplier] ?? SupplierStatus(supplier: supplier)
            if let state = FileState(rawValue: row.string(1) ?? "") { status.files[state] = Int(row.int(2)) }
            status.rowsLoaded += Int(row.int(3))
            status.rowsQuarantined += Int(row.int(4))
            if !row.isNull(5) { status.lastFinishedAt = max(status.lastFinishedAt ?? 0, row.double(5)) }
            status.lastError = status.lastError ?? row.string(6)
            bySupplier[supplier] = status
        }
        let openings = try database.prepare("""
            SELECT supplier, COUNT(*) FROM sluice_breaker_openings
            WHERE pipeline = ?1 AND run_id = (SELECT MAX(id) FROM sluice_runs WHERE pipeline = ?1) GROUP BY supplier
            """)
        openings.bind(1, pipeline)
        try openings.rows { row in bySupplier[row.string(0) ?? ""]?.breakerOpenings = Int(row.int(1)) }
        return bySupplier.values.sorted { $0.supplier < $1.supplier }
    }

    public func quarantine(limit: Int?) throws -> [QuarantineEntry] {
        var entries: [QuarantineEntry] = []
        let query = try database.prepare("""
            SELECT supplier, file, kind, line, byte_offset, row_number, reason, raw FROM sluice_quarantine
            WHERE pipeline = ? ORDER BY id LIMIT ?
            """)
        query.bind(1, pipeline)
        query.bind(2, limit ?? -1)
        try query.rows { row in
            entries.append(QuarantineEntry(
                supplier: row.string(0) ?? "", file: row.string(1) ?? "", kind: row.string(2) ?? "",
                line: row.isNull(3) ? nil : Int(row.int(3)), byteOffset: row.isNull(4) ? nil : row.int(4),
                rowNumber: row.isNull(5) ? nil : Int(row.int(5)), reason: row.string(6) ?? "",
                raw: row.isNull(7) ? nil : row.bytes(7)))
        }
        return entries
    }

    public func timeline() throws -> [FileTiming] {
        var timings: [FileTiming] = []
        let query = try database.prepare("""
            SELECT supplier, path, started_at, finished_at, COALESCE(slot_wait, 0), attempts FROM sluice_files
            WHERE pipeline = ?1 AND started_at IS NOT NULL AND finished_at IS NOT NULL
              AND run_id = (SELECT MAX(run_id) FROM sluice_files WHERE pipeline = ?1)
            ORDER BY started_at
            """)
        query.bind(1, pipeline)
        try query.rows { row in
            timings.append(FileTiming(supplier: row.string(0) ?? "", file: row.string(1) ?? "",
                                      startedAt: row.double(2), finishedAt: row.double(3),
                                      slotWait: row.double(4), attempts: Int(row.int(5))))
        }
        return timings
    }

    static func fileRecord(_ row: SQLiteRow) -> FileRecord {
        var record = FileRecord(
            id: row.int(0), supplier: row.string(1) ?? "", relativePath: row.string(2) ?? "", size: row.int(3),
            fingerprint: row.string(4) ?? "", state: FileState(rawValue: row.string(5) ?? "") ?? .pending,
            next: ResumePoint(offset: row.int(6), line: Int(row.int(7)), rowsBefore: Int(row.int(8))),
            rowsRead: Int(row.int(9)), rowsLoaded: Int(row.int(10)), rowsQuarantined: Int(row.int(11)),
            rowsFiltered: Int(row.int(12)), attempts: Int(row.int(13)), lastError: row.string(14),
            settled: row.int(15) != 0)
        record.rowsInvalid = Int(row.int(16))
        return record
    }
}

/// A zero-length text still needs a valid pointer: the address of a static empty C string.
private let emptyText: StaticString = ""

func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
