/// Named schema migrations for the store's own tables. Never edit one that has shipped; add a new one.
enum Migrations {
    static let all: [(name: String, sql: String)] = [
        ("v1-create-files", """
            CREATE TABLE sluice_files (
                id INTEGER PRIMARY KEY,
                pipeline TEXT NOT NULL,
                supplier TEXT NOT NULL,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                mtime REAL,
                state TEXT NOT NULL DEFAULT 'pending',
                next_offset INTEGER NOT NULL DEFAULT 0,
                next_line INTEGER NOT NULL DEFAULT 1,
                next_row INTEGER NOT NULL DEFAULT 0,
                rows_read INTEGER NOT NULL DEFAULT 0,
                rows_loaded INTEGER NOT NULL DEFAULT 0,
                rows_quarantined INTEGER NOT NULL DEFAULT 0,
                rows_filtered INTEGER NOT NULL DEFAULT 0,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                discovered_at REAL,
                started_at REAL,
                finished_at REAL,
                UNIQUE (pipeline, supplier, path, size, fingerprint)
            );
            CREATE INDEX sluice_files_by_path ON sluice_files (pipeline, supplier, path);
            """),
        ("v1-create-quarantine", """
            CREATE TABLE sluice_quarantine (
                id INTEGER PRIMARY KEY,
                pipeline TEXT NOT NULL,
                file_id INTEGER NOT NULL,
                supplier TEXT NOT NULL,
                file TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('row', 'file')),
                line INTEGER,
                byte_offset INTEGER,
                row_number INTEGER,
                reason TEXT NOT NULL,
                raw BLOB,
                quarantined_at REAL NOT NULL
            );
            CREATE INDEX sluice_quarantine_by_file ON sluice_quarantine (file_id);
            """),
        ("v1-create-runs", """
            CREATE TABLE sluice_runs (
                id INTEGER PRIMARY KEY,
                pipeline TEXT NOT NULL,
                started_at REAL NOT NULL,
                finished_at REAL,
                exit_code INTEGER,
                summary TEXT
            );
            """),
        ("v2-add-settled", """
            ALTER TABLE sluice_files ADD COLUMN settled_at REAL;
            ALTER TABLE sluice_files ADD COLUMN settle_action TEXT;
            """),
        ("v3-timeline-and-breaker", """
            ALTER TABLE sluice_files ADD COLUMN queued_at REAL;
            ALTER TABLE sluice_files ADD COLUMN slot_wait REAL;
            ALTER TABLE sluice_files ADD COLUMN run_id INTEGER;
            CREATE TABLE sluice_breaker_openings (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL,
                pipeline TEXT NOT NULL,
                supplier TEXT NOT NULL,
                opened_at REAL NOT NULL,
                paused_until REAL NOT NULL
            );
            """),
        ("v4-add-rows-invalid", """
            ALTER TABLE sluice_files ADD COLUMN rows_invalid INTEGER NOT NULL DEFAULT 0;
            """),
        // The staging table's row ids a file's rows lie between, so taking them out reads that
        // range instead of the whole table. Rows staged before this was kept may lie anywhere.
        ("v5-add-row-id-range", """
            ALTER TABLE sluice_files ADD COLUMN first_row_id INTEGER;
            ALTER TABLE sluice_files ADD COLUMN last_row_id INTEGER;
            UPDATE sluice_files SET first_row_id = -9223372036854775808, last_row_id = 9223372036854775807;
            """),
        // on_duplicate: skip looks up every new file's content; without this, each lookup reads
        // every file the pipeline has seen.
        ("v6-index-content", """
            CREATE INDEX sluice_files_by_content ON sluice_files (pipeline, size, fingerprint);
            """),
        // Blank lines skipped up to next_offset: the file's count, and part of where `_row` resumes.
        ("v7-add-blank-lines", """
            ALTER TABLE sluice_files ADD COLUMN blank_lines INTEGER NOT NULL DEFAULT 0;
            """),
        // When a file's rows last committed, for a stream's lag; and what `sluice prune` keeps of a
        // loaded file whose record it removed, so a later delivery under its name meets on_change.
        ("v8-commit-time-and-pruned", """
            ALTER TABLE sluice_files ADD COLUMN committed_at REAL;
            CREATE TABLE sluice_pruned (
                pipeline TEXT NOT NULL,
                supplier TEXT NOT NULL,
                path TEXT NOT NULL,
                file_id INTEGER NOT NULL,
                size INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                first_row_id INTEGER,
                last_row_id INTEGER,
                finished_at REAL,
                pruned_at REAL NOT NULL,
                PRIMARY KEY (pipeline, supplier, path)
            );
            """),
        // Each run's latency percentiles per stage, for `sluice report`.
        ("v9-run-stages", """
            CREATE TABLE sluice_run_stages (
                run_id INTEGER NOT NULL,
                stage TEXT NOT NULL,
                count INTEGER NOT NULL,
                p50 REAL NOT NULL,
                p95 REAL NOT NULL,
                p99 REAL NOT NULL,
                max REAL NOT NULL,
                PRIMARY KEY (run_id, stage)
            );
            """),
        // How each file was read: its profile, its header (kept once per distinct header) and drift.
        ("v9-file-readings", """
            ALTER TABLE sluice_files ADD COLUMN read_with TEXT;
            ALTER TABLE sluice_files ADD COLUMN header_digest TEXT;
            ALTER TABLE sluice_files ADD COLUMN header_mapping TEXT;
            ALTER TABLE sluice_files ADD COLUMN drift TEXT;
            CREATE TABLE sluice_headers (
                digest TEXT PRIMARY KEY,
                header TEXT NOT NULL
            );
            """),
    ]

    /// Applies the migrations not yet recorded, each in its own transaction.
    /// - Throws: `StoreError`.
    static func apply(to database: SQLiteDatabase) throws {
        try database.execute("CREATE TABLE IF NOT EXISTS sluice_migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        var applied = Set<String>()
        try database.prepare("SELECT name FROM sluice_migrations").rows { applied.insert($0.string(0) ?? "") }
        for (name, sql) in all where !applied.contains(name) {
            try database.transaction {
                try database.execute(sql)
                let record = try database.prepare("INSERT INTO sluice_migrations (name, applied_at) VALUES (?, julianday('now'))")
                record.bind(1, name)
                try record.run()
            }
        }
    }
}
