import SluiceCore

/// The read side of `sluice report` in PostgreSQL.
extension PostgresWarehouse: RunReportSource {
    public func runRecord(_ id: Int64?) throws -> RunRecord? {
        try serialized {
            let rows = try connection.query("""
                SELECT id, started_at, finished_at, exit_code, summary FROM sluice_runs
                WHERE pipeline = $1 AND ($2::bigint IS NULL OR id = $2::bigint) ORDER BY id DESC LIMIT 1
                """, [pipeline, id.map(text)])
            guard rows.count == 1 else { return nil }
            return RunRecord(id: rows.int(0, 0), startedAt: rows.double(0, 1), finishedAt: rows.isNull(0, 2) ? nil : rows.double(0, 2),
                             exitCode: rows.isNull(0, 3) ? nil : Int(rows.int(0, 3)), summary: rows.string(0, 4))
        }
    }

    public func reportedFiles(run id: Int64) throws -> [ReportedFile] {
        try serialized {
            let rows = try connection.query("""
                SELECT supplier, path, state, started_at, finished_at, COALESCE(slot_wait, 0), attempts,
                       rows_read, rows_loaded, rows_quarantined, rows_filtered, blank_lines, drift
                FROM sluice_files WHERE pipeline = $1 AND run_id = $2::bigint AND started_at IS NOT NULL AND finished_at IS NOT NULL
                ORDER BY started_at
                """, [pipeline, text(id)])
            return (0..<rows.count).map { row in
                ReportedFile(supplier: rows.string(row, 0) ?? "", file: rows.string(row, 1) ?? "", state: rows.string(row, 2) ?? "",
                             startedAt: rows.double(row, 3), finishedAt: rows.double(row, 4), slotWait: rows.double(row, 5),
                             attempts: Int(rows.int(row, 6)),
                             rows: RowCounts(read: Int(rows.int(row, 7)), loaded: Int(rows.int(row, 8)),
                                             quarantined: Int(rows.int(row, 9)), filtered: Int(rows.int(row, 10)),
                                             blankLinesSkipped: Int(rows.int(row, 11))),
                             drift: rows.string(row, 12))
            }
        }
    }

    public func stageLatencies(run id: Int64) throws -> [StageLatency] {
        try serialized {
            let rows = try connection.query("SELECT stage, count, p50, p95, p99, max FROM sluice_run_stages WHERE run_id = $1::bigint",
                                            [text(id)])
            return Self.inStageOrder((0..<rows.count).map { row in
                StageLatency(stage: rows.string(row, 0) ?? "", count: Int(rows.int(row, 1)), p50: rows.double(row, 2),
                             p95: rows.double(row, 3), p99: rows.double(row, 4), max: rows.double(row, 5))
            })
        }
    }

    public func forEachQuarantined(in run: RunRecord, _ body: (QuarantineEntry) -> Void) throws {
        try serialized {
            let rows = try connection.query("""
                SELECT supplier, file, kind, line, byte_offset, row_number, reason, raw FROM sluice_quarantine
                WHERE pipeline = $1 AND quarantined_at >= $2::float8 AND ($3::float8 IS NULL OR quarantined_at <= $3::float8)
                  AND file_id IN (SELECT id FROM sluice_files WHERE pipeline = $1 AND run_id = $4::bigint)
                ORDER BY id
                """, [pipeline, text(run.startedAt), run.finishedAt.map(text), text(run.id)])
            for row in 0..<rows.count {
                body(QuarantineEntry(supplier: rows.string(row, 0) ?? "", file: rows.string(row, 1) ?? "",
                                     kind: rows.string(row, 2) ?? "", line: rows.isNull(row, 3) ? nil : Int(rows.int(row, 3)),
                                     byteOffset: rows.isNull(row, 4) ? nil : rows.int(row, 4),
                                     rowNumber: rows.isNull(row, 5) ? nil : Int(rows.int(row, 5)),
                                     reason: rows.string(row, 6) ?? "", raw: rows.bytes(row, 7)))
            }
        }
    }
}

extension PostgresWarehouse {
    public func headerSightings() throws -> [HeaderSighting] {
        try serialized {
            let rows = try connection.query("""
                SELECT f.supplier, f.path, f.header_digest, h.header, f.drift FROM sluice_files f
                JOIN sluice_headers h ON h.digest = f.header_digest
                WHERE f.pipeline = $1 ORDER BY f.supplier, f.id
                """, [pipeline])
            return (0..<rows.count).map { row in
                HeaderSighting(supplier: rows.string(row, 0) ?? "", file: rows.string(row, 1) ?? "", digest: rows.string(row, 2) ?? "",
                               header: rows.string(row, 3) ?? "", drift: rows.string(row, 4))
            }
        }
    }
}
