/// The PostgreSQL store's longer statements, in one place. Every parameter is cast, so the
/// server never has to guess a type from text.
enum PostgresSQL {
    static let setMark = """
        INSERT INTO sluice_commit_marks (pipeline, mark) VALUES ($1, $2::bigint)
        ON CONFLICT (pipeline) DO UPDATE SET mark = EXCLUDED.mark
        """

    static let findMark = "SELECT 1 FROM sluice_commit_marks WHERE pipeline = $1 AND mark = $2::bigint"

    static let fileColumns = """
        id, supplier, path, size, fingerprint, state, next_offset, next_line, next_row, \
        rows_read, rows_loaded, rows_quarantined, rows_filtered, attempts, last_error, settled_at IS NOT NULL, rows_invalid, blank_lines, read_with
        """

    /// Every file of a round advanced at once: parameters 1 and 2 are the run and the commit
    /// time, the rest one array each, a file per element.
    static let advanceFiles = """
        UPDATE sluice_files f SET
            next_offset = u.next_offset, next_line = u.next_line, next_row = u.next_row,
            rows_read = f.rows_read + u.rows_read, rows_loaded = f.rows_loaded + u.rows_loaded,
            rows_quarantined = f.rows_quarantined + u.rows_quarantined, rows_filtered = f.rows_filtered + u.rows_filtered,
            rows_invalid = f.rows_invalid + u.rows_invalid, blank_lines = u.blank_lines,
            committed_at = CASE WHEN u.rows_loaded > 0 THEN $2::float8 ELSE f.committed_at END,
            started_at = COALESCE(u.started_at, f.started_at),
            attempts = f.attempts + CASE WHEN u.started_at IS NOT NULL THEN 1 ELSE 0 END,
            queued_at = CASE WHEN u.started_at IS NOT NULL THEN u.queued_at ELSE f.queued_at END,
            slot_wait = CASE WHEN u.started_at IS NOT NULL AND u.queued_at IS NOT NULL THEN u.started_at - u.queued_at ELSE f.slot_wait END,
            run_id = CASE WHEN u.started_at IS NOT NULL THEN $1::bigint ELSE f.run_id END,
            state = u.state, last_error = u.last_error, finished_at = u.finished_at
        FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],
                    $10::bigint[], $11::bigint[], $12::bigint[], $13::float8[], $14::float8[], $15::text[], $16::text[], $17::float8[])
            AS u(id, next_offset, next_line, next_row, rows_read, rows_loaded, rows_quarantined, rows_filtered, rows_invalid,
                 blank_lines, started_at, queued_at, state, last_error, finished_at)
        WHERE f.id = u.id
        """

    /// The slice's files the store knows already, matched on their whole identity.
    static let findFiles = """
        SELECT \(fileColumns) FROM sluice_files f
        JOIN unnest($2::text[], $3::text[], $4::bigint[], $5::text[]) AS u(supplier, path, size, fingerprint)
            USING (supplier, path, size, fingerprint)
        WHERE f.pipeline = $1
        """

    static let insertFiles = """
        INSERT INTO sluice_files (pipeline, supplier, path, size, fingerprint, mtime, discovered_at)
        SELECT $1, u.supplier, u.path, u.size, u.fingerprint, u.mtime, $7::float8
        FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::float8[]) WITH ORDINALITY
            AS u(supplier, path, size, fingerprint, mtime, position)
        ORDER BY u.position
        RETURNING id, supplier, path, size, fingerprint
        """

    /// Paths among the new files that have an older version: only those need the policy.
    static let pathsWithHistory = """
        SELECT DISTINCT f.supplier, f.path FROM sluice_files f
        JOIN unnest($2::text[], $3::text[]) AS u(supplier, path) USING (supplier, path)
        WHERE f.pipeline = $1 AND NOT (f.id = ANY($4::bigint[]))
        """

    /// Older versions of a path (by id) that did not finish but may hold committed rows.
    static let unfinishedVersions = """
        SELECT id FROM sluice_files
        WHERE pipeline = $1 AND supplier = $2 AND path = $3 AND id < $4::bigint
          AND (state IN ('pending', 'loading', 'failed') OR (state = 'quarantined' AND rows_loaded > 0))
        ORDER BY id
        """

    static let doneVersions = """
        SELECT id, size FROM sluice_files
        WHERE pipeline = $1 AND supplier = $2 AND path = $3 AND id < $4::bigint AND state = 'done' ORDER BY id
        """

    static let sameContent = """
        SELECT supplier, path FROM sluice_files
        WHERE pipeline = $1 AND size = $2::bigint AND fingerprint = $3 AND id <> $4::bigint
          AND state IN ('pending', 'loading', 'done', 'failed') ORDER BY id LIMIT 1
        """
}
