import SluiceCore

/// Runs, and the read side of the store: status, quarantine and timeline.
extension SQLiteWarehouse {
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

    public func recordStageLatencies(_ latencies: [StageLatency], run id: Int64) throws {
        try database.transaction {
            let insert = try database.prepare("""
                INSERT OR REPLACE INTO sluice_run_stages (run_id, stage, count, p50, p95, p99, max) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for latency in latencies {
                insert.bind(1, id)
                insert.bind(2, latency.stage)
                insert.bind(3, Int64(latency.count))
                insert.bind(4, latency.p50)
                insert.bind(5, latency.p95)
                insert.bind(6, latency.p99)
                insert.bind(7, latency.max)
                try insert.run()
            }
        }
    }

    public func status() throws -> [SupplierStatus] {
        var bySupplier: [String: SupplierStatus] = [:]
        // A store last written before blank lines were counted (read-only here, so not migrated) has none.
        let blankLines = try hasColumn("blank_lines", in: "sluice_files") ? "SUM(blank_lines)" : "0"
        let committed = try hasColumn("committed_at", in: "sluice_files") ? "MAX(committed_at)" : "MAX(finished_at)"
        let query = try database.prepare("""
            SELECT supplier, state, COUNT(*), SUM(CASE WHEN state = 'superseded' THEN 0 ELSE rows_loaded END),
                   SUM(rows_quarantined), MAX(finished_at),
                   MAX(CASE WHEN last_error IS NOT NULL THEN last_error END), \(blankLines),
                   MIN(discovered_at), \(committed), SUM(rows_read), SUM(rows_filtered)
            FROM sluice_files WHERE pipeline = ? GROUP BY supplier, state ORDER BY supplier
            """)
        query.bind(1, pipeline)
        try query.rows { row in
            let supplier = row.string(0) ?? ""
            var status = bySupplier[supplier] ?? SupplierStatus(supplier: supplier)
            if let state = FileState(rawValue: row.string(1) ?? "") { status.files[state] = Int(row.int(2)) }
            let live = row.string(1) != FileState.superseded.rawValue
            status.rows.loaded += Int(row.int(3))
            status.rows.quarantined += Int(row.int(4))
            if live { status.rows.read += Int(row.int(10)); status.rows.filtered += Int(row.int(11)) }
            if !row.isNull(5) { status.lastFinishedAt = max(status.lastFinishedAt ?? 0, row.double(5)) }
            status.lastError = status.lastError ?? row.string(6)
            if live { status.rows.blankLinesSkipped += Int(row.int(7)) }
            if [FileState.pending.rawValue, FileState.loading.rawValue].contains(row.string(1)), !row.isNull(8) {
                status.oldestQueuedAt = min(status.oldestQueuedAt ?? .infinity, row.double(8))
            }
            if !row.isNull(9) { status.lastCommitAt = max(status.lastCommitAt ?? 0, row.double(9)) }
            bySupplier[supplier] = status
        }
        if try hasColumn("drift", in: "sluice_files") {
            let drift = try database.prepare("""
                SELECT supplier, COUNT(*), (SELECT d.drift FROM sluice_files d WHERE d.pipeline = f.pipeline AND d.supplier = f.supplier
                                            AND d.drift IS NOT NULL AND d.state != 'superseded' ORDER BY d.id DESC LIMIT 1)
                FROM sluice_files f WHERE pipeline = ? AND drift IS NOT NULL AND state != 'superseded' GROUP BY supplier
                """)
            drift.bind(1, pipeline)
            try drift.rows { row in
                bySupplier[row.string(0) ?? ""]?.filesDrifted = Int(row.int(1))
                bySupplier[row.string(0) ?? ""]?.lastDrift = row.string(2)
            }
        }
        let openings = try database.prepare("""
            SELECT supplier, COUNT(*) FROM sluice_breaker_openings
            WHERE pipeline = ?1 AND run_id = (SELECT MAX(id) FROM sluice_runs WHERE pipeline = ?1) GROUP BY supplier
            """)
        openings.bind(1, pipeline)
        try openings.rows { row in bySupplier[row.string(0) ?? ""]?.breakerOpenings = Int(row.int(1)) }
        return bySupplier.values.sorted { $0.supplier < $1.supplier }
    }

    /// Every version the store has registered, per supplier: a listed file with the same path
    /// and size is known, anything else is still to be registered.
    public func registeredVersions() throws -> [String: Set<ListedVersion>] {
        var versions: [String: Set<ListedVersion>] = [:]
        let query = try database.prepare("SELECT supplier, path, size FROM sluice_files WHERE pipeline = ?")
        query.bind(1, pipeline)
        try query.rows { row in
            versions[row.string(0) ?? "", default: []].insert(ListedVersion(path: row.string(1) ?? "", size: row.int(2)))
        }
        return versions
    }

    func hasColumn(_ column: String, in table: String) throws -> Bool {
        let info = try database.prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?")
        info.bind(1, table)
        info.bind(2, column)
        var found = false
        try info.rows { _ in found = true }
        return found
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
}
