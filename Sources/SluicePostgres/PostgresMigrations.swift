/// Named schema migrations for the store's own tables in PostgreSQL: the same tables as the
/// SQLite store's, in PostgreSQL's types. Never edit one that has shipped; add a new one.
enum PostgresMigrations {
    static let all: [(name: String, sql: String)] = [
        ("pg1-create-files", """
            CREATE TABLE sluice_files (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pipeline text NOT NULL,
                supplier text NOT NULL,
                path text NOT NULL,
                size bigint NOT NULL,
                fingerprint text NOT NULL,
                mtime double precision,
                state text NOT NULL DEFAULT 'pending',
                next_offset bigint NOT NULL DEFAULT 0,
                next_line bigint NOT NULL DEFAULT 1,
                next_row bigint NOT NULL DEFAULT 0,
                rows_read bigint NOT NULL DEFAULT 0,
                rows_loaded bigint NOT NULL DEFAULT 0,
                rows_quarantined bigint NOT NULL DEFAULT 0,
                rows_filtered bigint NOT NULL DEFAULT 0,
                rows_invalid bigint NOT NULL DEFAULT 0,
                blank_lines bigint NOT NULL DEFAULT 0,
                attempts integer NOT NULL DEFAULT 0,
                last_error text,
                discovered_at double precision,
                queued_at double precision,
                slot_wait double precision,
                started_at double precision,
                finished_at double precision,
                committed_at double precision,
                run_id bigint,
                settled_at double precision,
                settle_action text,
                UNIQUE (pipeline, supplier, path, size, fingerprint)
            );
            CREATE INDEX sluice_files_by_path ON sluice_files (pipeline, supplier, path);
            CREATE INDEX sluice_files_by_content ON sluice_files (pipeline, size, fingerprint);
            """),
        ("pg1-create-quarantine", """
            CREATE TABLE sluice_quarantine (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pipeline text NOT NULL,
                file_id bigint NOT NULL,
                supplier text NOT NULL,
                file text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('row', 'file')),
                line bigint,
                byte_offset bigint,
                row_number bigint,
                reason text NOT NULL,
                raw bytea,
                quarantined_at double precision NOT NULL
            );
            CREATE INDEX sluice_quarantine_by_file ON sluice_quarantine (file_id);
            """),
        ("pg1-create-runs", """
            CREATE TABLE sluice_runs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                pipeline text NOT NULL,
                started_at double precision NOT NULL,
                finished_at double precision,
                exit_code integer,
                summary text
            );
            CREATE TABLE sluice_breaker_openings (
                run_id bigint NOT NULL,
                pipeline text NOT NULL,
                supplier text NOT NULL,
                opened_at double precision NOT NULL,
                paused_until double precision NOT NULL
            );
            CREATE TABLE sluice_run_stages (
                run_id bigint NOT NULL,
                stage text NOT NULL,
                count bigint NOT NULL,
                p50 double precision NOT NULL,
                p95 double precision NOT NULL,
                p99 double precision NOT NULL,
                max double precision NOT NULL,
                PRIMARY KEY (run_id, stage)
            );
            """),
        // Who holds a pipeline's writer lock, for the run that finds it taken.
        ("pg2-lock-holders", """
            CREATE TABLE sluice_lock_holders (
                pipeline text PRIMARY KEY,
                holder text NOT NULL
            );
            """),
        // The mark of each pipeline's latest commit, written in the commit's own transaction:
        // after a lost connection, whether a commit in doubt landed.
        ("pg3-commit-marks", """
            CREATE TABLE sluice_commit_marks (
                pipeline text PRIMARY KEY,
                mark bigint NOT NULL
            );
            """),
        // Several workers on one store: a file's lease, its supplier's slots (one row per file
        // it may have open, `''` for the whole pipeline's), the pace of each supplier's starts,
        // and the start groups' openings.
        ("pg4-workers", """
            ALTER TABLE sluice_files ADD COLUMN lease_owner text, ADD COLUMN lease_epoch bigint NOT NULL DEFAULT 0,
                ADD COLUMN lease_until timestamptz, ADD COLUMN worker text;
            -- A file's row changes at every claim, commit and release, never in an indexed column:
            -- room left in each page lets the server update it in place, without touching its indexes.
            ALTER TABLE sluice_files SET (fillfactor = 70);
            CREATE TABLE sluice_slots (
                pipeline text NOT NULL,
                supplier text NOT NULL,
                slot integer NOT NULL,
                lease_owner text,
                lease_epoch bigint,
                lease_until timestamptz,
                file_id bigint,
                PRIMARY KEY (pipeline, supplier, slot)
            );
            CREATE TABLE sluice_paces (
                pipeline text NOT NULL,
                supplier text NOT NULL,
                next_start timestamptz NOT NULL DEFAULT '-infinity',
                PRIMARY KEY (pipeline, supplier)
            );
            CREATE TABLE sluice_start_groups (
                pipeline text NOT NULL,
                grp integer NOT NULL,
                open_until timestamptz NOT NULL DEFAULT '-infinity',
                PRIMARY KEY (pipeline, grp)
            );
            CREATE TABLE sluice_group_openings (
                pipeline text PRIMARY KEY,
                last_opening timestamptz NOT NULL DEFAULT '-infinity'
            );
            """),
        // How each file was read: its profile, its header (kept once per distinct header) and drift.
        ("pg5-file-readings", """
            ALTER TABLE sluice_files ADD COLUMN read_with text, ADD COLUMN header_digest text,
                ADD COLUMN header_mapping text, ADD COLUMN drift text;
            CREATE TABLE sluice_headers (
                digest text PRIMARY KEY,
                header text NOT NULL
            );
            """),
    ]

    /// Applies the migrations not yet recorded, each in its own transaction. Two workers
    /// starting at once take turns on a transaction lock, so each migration runs once.
    /// - Throws: `StoreError`.
    static func apply(to connection: PostgresConnection) throws {
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock(hashtext('sluice migrations'))")
            try connection.execute("CREATE TABLE IF NOT EXISTS sluice_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        }
        for (name, sql) in all {
            try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock(hashtext('sluice migrations'))")
                guard try connection.query("SELECT 1 FROM sluice_migrations WHERE name = $1", [name]).count == 0 else { return }
                try connection.execute(sql)
                try connection.query("INSERT INTO sluice_migrations (name) VALUES ($1)", [name])
            }
        }
    }
}
