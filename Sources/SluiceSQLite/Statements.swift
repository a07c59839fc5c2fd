import SluiceCore

/// Prepared statements, prepared once on first use and reused for the connection's life.
final class StatementCache {
    private let database: SQLiteDatabase
    private var cache: [String: SQLiteStatement] = [:]

    init(database: SQLiteDatabase) { self.database = database }

    /// - Throws: `StoreError` when the statement cannot be prepared.
    func callAsFunction(_ sql: String) throws -> SQLiteStatement {
        if let statement = cache[sql] { return statement }
        let statement = try database.prepare(sql)
        cache[sql] = statement
        return statement
    }
}

/// The store's SQL, in one place.
enum StoreSQL {
    static let insertQuarantine = """
        INSERT INTO sluice_quarantine (pipeline, file_id, supplier, file, kind, line, byte_offset, row_number, reason, raw, quarantined_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let advanceFile = """
        UPDATE sluice_files SET
            next_offset = ?1, next_line = ?2, next_row = ?3,
            rows_read = rows_read + ?4, rows_loaded = rows_loaded + ?5,
            rows_quarantined = rows_quarantined + ?6, rows_filtered = rows_filtered + ?7,
            rows_invalid = rows_invalid + ?15, blank_lines = ?18,
            committed_at = CASE WHEN ?5 > 0 THEN ?19 ELSE committed_at END,
            started_at = COALESCE(?8, started_at),
            attempts = attempts + (?8 IS NOT NULL),
            queued_at = CASE WHEN ?8 IS NOT NULL THEN ?13 ELSE queued_at END,
            slot_wait = CASE WHEN ?8 IS NOT NULL AND ?13 IS NOT NULL THEN ?8 - ?13 ELSE slot_wait END,
            run_id = CASE WHEN ?8 IS NOT NULL THEN ?14 ELSE run_id END,
            state = ?9, last_error = ?10, finished_at = ?11,
            first_row_id = MIN(COALESCE(first_row_id, ?16), COALESCE(?16, first_row_id)),
            last_row_id = MAX(COALESCE(last_row_id, ?17), COALESCE(?17, last_row_id))
        WHERE id = ?12
        """

    static let quarantineAllRows = """
        UPDATE sluice_files SET rows_loaded = 0, rows_quarantined = rows_read - rows_filtered WHERE id = ?
        """

    static let insertFile = """
        INSERT INTO sluice_files (pipeline, supplier, path, size, fingerprint, mtime, discovered_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    static let fileColumns = """
        id, supplier, path, size, fingerprint, state, next_offset, next_line, next_row, \
        rows_read, rows_loaded, rows_quarantined, rows_filtered, attempts, last_error, settled_at IS NOT NULL, rows_invalid, blank_lines, read_with
        """

    static let findFile = """
        SELECT \(fileColumns) FROM sluice_files
        WHERE pipeline = ? AND supplier = ? AND path = ? AND size = ? AND fingerprint = ?
        """

    static let doneVersions = """
        SELECT id, size FROM sluice_files
        WHERE pipeline = ? AND supplier = ? AND path = ? AND id <> ? AND state = 'done'
        """

    /// Earlier versions of a path that did not finish but may hold committed rows.
    static let unfinishedVersions = """
        SELECT id FROM sluice_files
        WHERE pipeline = ? AND supplier = ? AND path = ? AND id <> ?
          AND (state IN ('pending', 'loading', 'failed') OR (state = 'quarantined' AND rows_loaded > 0))
        """

    static let sameContent = """
        SELECT supplier, path FROM sluice_files
        WHERE pipeline = ? AND size = ? AND fingerprint = ? AND id <> ?
          AND state IN ('pending', 'loading', 'done', 'failed') ORDER BY id LIMIT 1
        """

    static let markVersion = """
        UPDATE sluice_files SET state = ?, last_error = ?, finished_at = ? WHERE id = ?
        """

    static let findPruned = """
        SELECT file_id, size, fingerprint, first_row_id, last_row_id FROM sluice_pruned
        WHERE pipeline = ? AND supplier = ? AND path = ?
        """

    static let forgetPruned = "DELETE FROM sluice_pruned WHERE pipeline = ? AND supplier = ? AND path = ?"

    static let fileState = "SELECT state FROM sluice_files WHERE id = ?"

    static let markSettled = """
        UPDATE sluice_files SET settled_at = ?, settle_action = ? WHERE id = ?
        """

    static let resetFile = """
        UPDATE sluice_files SET next_offset = 0, next_line = 1, next_row = 0, rows_read = 0, rows_loaded = 0,
            rows_quarantined = 0, rows_filtered = 0, rows_invalid = 0, blank_lines = 0, first_row_id = NULL, last_row_id = NULL WHERE id = ?
        """

    static let clearLoadedRows = "UPDATE sluice_files SET rows_loaded = 0 WHERE id = ?"

    static let deleteRowQuarantine = "DELETE FROM sluice_quarantine WHERE file_id = ? AND kind = 'row'"

    /// Reads only the row id range the file's rows were given (nothing, when it never staged a row).
    static func deleteFileRows(table: String) -> String {
        """
        DELETE FROM \(sqlIdentifier(table)) WHERE _file_id = ?1
            AND rowid BETWEEN (SELECT first_row_id FROM sluice_files WHERE id = ?1)
                          AND (SELECT last_row_id FROM sluice_files WHERE id = ?1)
        """
    }
}
