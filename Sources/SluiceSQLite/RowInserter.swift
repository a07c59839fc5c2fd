import CSQLite
import SluiceCore

/// The hot path: inserts a batch's rows into the staging table, binding straight from the
/// batch arena without copying (`SQLITE_STATIC`).
///
/// Rows go in `rowsPerStatement` at a time through one multi-row `INSERT`: each statement
/// run opens the table once and seeks its end once, where a one-row statement does that for
/// every row. The lineage values shared by a batch's rows (supplier, file, file id) are one
/// parameter each, bound once per batch.
final class RowInserter {
    static let rowsPerStatement = 64

    private let many: SQLiteStatement
    private let one: SQLiteStatement
    private let columnCount: Int
    private let target: String

    /// - Parameter outputColumns: every column name: the output columns, then `_supplier`, `_file`, `_file_id`, `_row`.
    init(database: SQLiteDatabase, table: String, outputColumns: [String], columnCount: Int) throws {
        self.columnCount = columnCount
        target = "\(table) in \(database.path)"
        let into = "INSERT INTO \(sqlIdentifier(table)) (\(outputColumns.map(sqlIdentifier).joined(separator: ", "))) VALUES "
        func values(_ rows: Int) -> String {
            (0..<rows).map { row in
                let first = 4 + row * (columnCount + 1)
                let own = (first..<first + columnCount + 1).map { "?\($0)" }
                return "(" + (own.dropLast() + ["?1", "?2", "?3", own.last!]).joined(separator: ", ") + ")"
            }.joined(separator: ", ")
        }
        many = try database.prepare(into + values(Self.rowsPerStatement))
        one = try database.prepare(into + values(1))
    }

    /// - Returns: the row ids the rows were given (each statement's rows take consecutive ids),
    ///   or nil for a batch without rows.
    func insert(_ batch: LoadBatch) throws -> ClosedRange<Int64>? {
        let rows = batch.rows
        guard rows.rowCount > 0 else { return nil }
        for statement in [many, one] {
            statement.bind(1, batch.supplier)
            statement.bind(2, batch.file)
            statement.bind(3, batch.progress.fileID)
        }
        // The arena goes away with the batch: no statement may keep pointing into it.
        defer { for statement in [many, one] { sqlite3_clear_bindings(statement.handle) } }
        var firstRowID: Int64?
        try rows.arena.withUnsafeBufferPointer { arena in
            let base = arena.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(emptyText.utf8Start)
            try rows.cells.withUnsafeBufferPointer { cells in
                try rows.rowNumbers.withUnsafeBufferPointer { rowNumbers in
                    var row = 0
                    while row < rows.rowCount {
                        let group = rows.rowCount - row >= Self.rowsPerStatement ? Self.rowsPerStatement : 1
                        let handle = (group == 1 ? one : many).handle
                        for slot in 0..<group {
                            let first = Int32(4 + slot * (columnCount + 1))
                            var cell = (row + slot) * columnCount
                            for parameter in first..<first + Int32(columnCount) {
                                switch cells[cell] {
                                case .null: sqlite3_bind_null(handle, parameter)
                                case .integer(let value): sqlite3_bind_int64(handle, parameter, value)
                                case .real(let value): sqlite3_bind_double(handle, parameter, value)
                                case .text(let start, let count):
                                    sqlite3_bind_text(handle, parameter, (base + Int(start)).assumingMemoryBound(to: CChar.self),
                                                      count, sqliteStatic)
                                }
                                cell += 1
                            }
                            sqlite3_bind_int64(handle, first + Int32(columnCount), rowNumbers[row + slot])
                        }
                        let status = sqlite3_step(handle)
                        sqlite3_reset(handle)
                        guard status == SQLITE_DONE else {
                            throw StoreError("cannot insert into \(target): \(many.database.lastError)", code: many.database.lastCode)
                        }
                        if firstRowID == nil { firstRowID = many.database.lastInsertRowID - Int64(group - 1) }
                        row += group
                    }
                }
            }
        }
        return firstRowID.map { $0...many.database.lastInsertRowID }
    }
}

/// A zero-length text still needs a valid pointer: the address of a static empty C string.
private let emptyText: StaticString = ""
