import CSQLite
import Foundation
import SluiceCore

/// `SQLITE_STATIC`: the bound bytes outlive the statement step, so SQLite need not copy them.
let sqliteStatic: sqlite3_destructor_type? = nil
/// `SQLITE_TRANSIENT`: SQLite copies the bytes before the call returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection. Not shared between threads: one owner uses it at a time.
final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String

    /// Opens (creating if needed) the database in WAL mode.
    /// - Throws: `StoreError` naming the file when it cannot be opened.
    init(path: String, readOnly: Bool = false) throws {
        self.path = path
        _ = Self.configureLibrary
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            let code = handle.map { sqlite3_extended_errcode($0) } ?? status
            sqlite3_close(handle)
            throw StoreError("cannot open the SQLite database \(path): \(message)", code: .sqlite(code))
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 10_000)
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Process-wide settings, applied once before the first connection opens.
    private static let configureLibrary: Void = { _ = sluice_sqlite_disable_memory_statistics() }()

    /// Runs one or more statements with no results.
    /// - Throws: `StoreError`.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw StoreError("SQLite \(path): \(message) (while running: \(sql.prefix(80)))", code: lastCode)
        }
    }

    /// - Throws: `StoreError`.
    func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw StoreError("SQLite \(path): \(lastError) (while preparing: \(sql.prefix(80)))", code: lastCode)
        }
        return SQLiteStatement(statement, database: self)
    }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    /// The kind of the last failure on this connection.
    var lastCode: StoreError.Code { .sqlite(sqlite3_extended_errcode(handle)) }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in one IMMEDIATE transaction: all of it commits, or none of it.
    /// - Throws: `body`'s error or `StoreError`; the transaction is then rolled back.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

/// A prepared statement, reset and reused.
final class SQLiteStatement {
    let handle: OpaquePointer
    unowned let database: SQLiteDatabase

    init(_ handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        if let value { sqlite3_bind_text(handle, index, value, -1, sqliteTransient) } else { sqlite3_bind_null(handle, index) }
    }

    /// Binds UTF-8 bytes as text with their length, so an embedded NUL is kept.
    func bind(_ index: Int32, utf8 bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
                return
            }
            sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                              Int32(buffer.count), sqliteTransient)
        }
    }

    /// Steps a statement that returns no rows, then resets it.
    /// - Throws: `StoreError`.
    func run() throws {
        defer { sqlite3_reset(handle) }
        let status = sqlite3_step(handle)
        guard status == SQLITE_DONE || status == SQLITE_ROW else {
            throw StoreError("SQLite \(database.path): \(database.lastError)", code: database.lastCode)
        }
    }

    /// Steps through every result row.
    /// - Throws: `StoreError`.
    func rows(_ body: (SQLiteRow) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while true {
            let status = sqlite3_step(handle)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else {
                throw StoreError("SQLite \(database.path): \(database.lastError)", code: database.lastCode)
            }
            try body(SQLiteRow(handle: handle))
        }
    }
}

/// The current result row of a statement.
struct SQLiteRow {
    let handle: OpaquePointer

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func bytes(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: text)
    }
}

extension StoreError.Code {
    /// The kind of an SQLite result code (primary or extended).
    static func sqlite(_ status: Int32) -> StoreError.Code {
        switch status & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_FULL: .full
        case SQLITE_READONLY: .readOnly
        case SQLITE_CONSTRAINT: .constraint
        case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH: .cannotOpen
        case SQLITE_IOERR: .io
        default: .other
        }
    }
}
