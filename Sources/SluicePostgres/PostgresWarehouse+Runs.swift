import SluiceCore

/// Runs, and the read side of the store: status, quarantine and timeline.
extension PostgresWarehouse {
    public func beginRun(at time: Double) throws -> Int64 {
        try serialized {
            let rows = try connection.query("INSERT INTO sluice_runs (pipeline, started_at) VALUES ($1, $2::float8) RETURNING id",
                                            [pipeline, text(time)])
            currentRun = rows.int(0, 0)
            return rows.int(0, 0)
        }
    }

    public func finishRun(_ id: Int64, at time: Double, exitCode: Int32, summary: String,
                          breakerOpenings: [BreakerOpening]) throws {
        try serialized { try connection.transaction {
            try connection.query("UPDATE sluice_runs SET finished_at = $1::float8, exit_code = $2::integer, summary = $3 WHERE id = $4::bigint",
                                 [text(time), String(exitCode), summary, text(id)])
            for opening in breakerOpenings {
                try connection.query("""
                    INSERT INTO sluice_breaker_openings (run_id, pipeline, supplier, opened_at, paused_until)
                    VALUES ($1::bigint, $2, $3, $4::float8, $5::float8)
                    """, [text(id), pipeline, opening.supplier, text(opening.openedAt), text(opening.until)])
            }
        } }
    }

    public func recordStageLatencies(_ latencies: [StageLatency], run id: Int64) throws {
        try serialized { try connection.transaction {
            for latency in latencies {
                try connection.query("""
                    INSERT INTO sluice_run_stages (run_id, stage, count, p50, p95, p99, max)
                    VALUES ($1::bigint, $2, $3::bigint, $4::float8, $5::float8, $6::float8, $7::float8)
                    ON CONFLICT (run_id, stage) DO UPDATE SET count = EXCLUDED.count, p50 = EXCLUDED.p50,
                        p95 = EXCLUDED.p95, p99 = EXCLUDED.p99, max = EXCLUDED.max
                    """, [text(id), latency.stage, String(latency.count), text(latency.p50), text(latency.p95),
                          text(latency.p99), text(latency.max)])
            }
        } }
    }

    public func status() throws -> [SupplierStatus] {
        try serialized {
            var bySupplier: [String: SupplierStatus] = [:]
            let rows = try connection.query("""
                SELECT supplier, state, COUNT(*), SUM(CASE WHEN state = 'superseded' THEN 0 ELSE rows_loaded END),
                       SUM(rows_quarantined), MAX(finished_at), MAX(last_error), SUM(blank_lines),
                       MIN(discovered_at), MAX(committed_at), SUM(rows_read), SUM(rows_filtered)
                FROM sluice_files WHERE pipeline = $1 GROUP BY supplier, state ORDER BY supplier
                """, [pipeline])
            for row in 0..<rows.count {
                let supplier = rows.string(row, 0) ?? ""
                let state = rows.string(row, 1)
                var status = bySupplier[supplier] ?? SupplierStatus(supplier: supplier)
                if let known = FileState(rawValue: state ?? "") { status.files[known] = Int(rows.int(row, 2)) }
                let live = state != FileState.superseded.rawValue
                status.rows.loaded += Int(rows.int(row, 3))
                status.rows.quarantined += Int(rows.int(row, 4))
                if live {
                    status.rows.read += Int(rows.int(row, 10))
                    status.rows.filtered += Int(rows.int(row, 11))
                    status.rows.blankLinesSkipped += Int(rows.int(row, 7))
                }
                if !rows.isNull(row, 5) { status.lastFinishedAt = max(status.lastFinishedAt ?? 0, rows.double(row, 5)) }
                status.lastError = status.lastError ?? rows.string(row, 6)
                if [FileState.pending.rawValue, FileState.loading.rawValue].contains(state), !rows.isNull(row, 8) {
                    status.oldestQueuedAt = min(status.oldestQueuedAt ?? .infinity, rows.double(row, 8))
                }
                if !rows.isNull(row, 9) { status.lastCommitAt = max(status.lastCommitAt ?? 0, rows.double(row, 9)) }
                bySupplier[supplier] = status
            }
            let drift = try connection.query("""
                SELECT supplier, COUNT(*), (ARRAY_AGG(drift ORDER BY id DESC))[1] FROM sluice_files
                WHERE pipeline = $1 AND drift IS NOT NULL AND state <> 'superseded' GROUP BY supplier
                """, [pipeline])
            for row in 0..<drift.count {
                bySupplier[drift.string(row, 0) ?? ""]?.filesDrifted = Int(drift.int(row, 1))
                bySupplier[drift.string(row, 0) ?? ""]?.lastDrift = drift.string(row, 2)
            }
            let openings = try connection.query("""
                SELECT supplier, COUNT(*) FROM sluice_breaker_openings
                WHERE pipeline = $1 AND run_id = (SELECT MAX(id) FROM sluice_runs WHERE pipeline = $1) GROUP BY supplier
                """, [pipeline])
            for row in 0..<openings.count { bySupplier[openings.string(row, 0) ?? ""]?.breakerOpenings = Int(openings.int(row, 1)) }
            let leases = try connection.query("""
                SELECT supplier, lease_owner, id, path, EXTRACT(epoch FROM lease_until)::float8 FROM sluice_files
                WHERE pipeline = $1 AND lease_owner IS NOT NULL AND lease_until >= clock_timestamp() ORDER BY supplier, lease_owner, id
                """, [pipeline])
            for row in 0..<leases.count {
                bySupplier[leases.string(row, 0) ?? ""]?.leases.append(HeldLease(
                    worker: leases.string(row, 1) ?? "", fileID: leases.int(row, 2), file: leases.string(row, 3) ?? "",
                    expiresAt: leases.double(row, 4)))
            }
            return bySupplier.values.sorted { $0.supplier < $1.supplier }
        }
    }

    public func registeredVersions() throws -> [String: Set<ListedVersion>] {
        try serialized {
            let rows = try connection.query("SELECT supplier, path, size FROM sluice_files WHERE pipeline = $1", [pipeline])
            var versions: [String: Set<ListedVersion>] = [:]
            for row in 0..<rows.count {
                versions[rows.string(row, 0) ?? "", default: []].insert(ListedVersion(path: rows.string(row, 1) ?? "", size: rows.int(row, 2)))
            }
            return versions
        }
    }

    public func quarantine(limit: Int?) throws -> [QuarantineEntry] {
        try serialized {
            let rows = try connection.query("""
                SELECT supplier, file, kind, line, byte_offset, row_number, reason, raw FROM sluice_quarantine
                WHERE pipeline = $1 ORDER BY id LIMIT $2::bigint
                """, [pipeline, limit.map(String.init)])
            return (0..<rows.count).map { row in
                QuarantineEntry(supplier: rows.string(row, 0) ?? "", file: rows.string(row, 1) ?? "", kind: rows.string(row, 2) ?? "",
                                line: rows.isNull(row, 3) ? nil : Int(rows.int(row, 3)),
                                byteOffset: rows.isNull(row, 4) ? nil : rows.int(row, 4),
                                rowNumber: rows.isNull(row, 5) ? nil : Int(rows.int(row, 5)),
                                reason: rows.string(row, 6) ?? "", raw: rows.bytes(row, 7))
            }
        }
    }

    public func timeline() throws -> [FileTiming] {
        try serialized {
            let rows = try connection.query("""
                SELECT supplier, path, started_at, finished_at, COALESCE(slot_wait, 0), attempts FROM sluice_files
                WHERE pipeline = $1 AND started_at IS NOT NULL AND finished_at IS NOT NULL
                  AND run_id = (SELECT MAX(run_id) FROM sluice_files WHERE pipeline = $1)
                ORDER BY started_at
                """, [pipeline])
            return (0..<rows.count).map { row in
                FileTiming(supplier: rows.string(row, 0) ?? "", file: rows.string(row, 1) ?? "", startedAt: rows.double(row, 2),
                           finishedAt: rows.double(row, 3), slotWait: rows.double(row, 4), attempts: Int(rows.int(row, 5)))
            }
        }
    }
}
