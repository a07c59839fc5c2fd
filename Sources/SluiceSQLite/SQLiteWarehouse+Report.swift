import SluiceCore

/// The read side of `sluice report`: one run's record, files, stage latencies and quarantine.
extension SQLiteWarehouse: RunReportSource {
    public func runRecord(_ id: Int64?) throws -> RunRecord? {
        let query = try database.prepare("""
            SELECT id, started_at, finished_at, exit_code, summary FROM sluice_runs
            WHERE pipeline = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id DESC LIMIT 1
            """)
        query.bind(1, pipeline)
        query.bind(2, id)
        var record: RunRecord?
        try query.rows { row in
            record = RunRecord(id: row.int(0), startedAt: row.double(1), finishedAt: row.isNull(2) ? nil : row.double(2),
                               exitCode: row.isNull(3) ? nil : Int(row.int(3)), summary: row.string(4))
        }
        return record
    }

    public func reportedFiles(run id: Int64) throws -> [ReportedFile] {
        let blankLines = try hasColumn("blank_lines", in: "sluice_files") ? "blank_lines" : "0"
        let drift = try hasColumn("drift", in: "sluice_files") ? "drift" : "NULL"
        let query = try database.prepare("""
            SELECT supplier, path, state, started_at, finished_at, COALESCE(slot_wait, 0), attempts,
                   rows_read, rows_loaded, rows_quarantined, rows_filtered, \(blankLines), \(drift)
            FROM sluice_files WHERE pipeline = ? AND run_id = ? AND started_at IS NOT NULL AND finished_at IS NOT NULL
            ORDER BY started_at
            """)
        query.bind(1, pipeline)
        query.bind(2, id)
        var files: [ReportedFile] = []
        try query.rows { row in
            files.append(ReportedFile(
                supplier: row.string(0) ?? "", file: row.string(1) ?? "", state: row.string(2) ?? "",
                startedAt: row.double(3), finishedAt: row.double(4), slotWait: row.double(5), attempts: Int(row.int(6)),
                rows: RowCounts(read: Int(row.int(7)), loaded: Int(row.int(8)), quarantined: Int(row.int(9)),
                                filtered: Int(row.int(10)), blankLinesSkipped: Int(row.int(11))),
                drift: row.string(12)))
        }
        return files
    }

    public func stageLatencies(run id: Int64) throws -> [StageLatency] {
        guard try hasTable("sluice_run_stages") else { return [] }
        let query = try database.prepare("SELECT stage, count, p50, p95, p99, max FROM sluice_run_stages WHERE run_id = ?")
        query.bind(1, id)
        var latencies: [StageLatency] = []
        try query.rows { row in
            latencies.append(StageLatency(stage: row.string(0) ?? "", count: Int(row.int(1)), p50: row.double(2),
                                          p95: row.double(3), p99: row.double(4), max: row.double(5)))
        }
        return Self.inStageOrder(latencies)
    }

    public func forEachQuarantined(in run: RunRecord, _ body: (QuarantineEntry) -> Void) throws {
        let query = try database.prepare("""
            SELECT supplier, file, kind, line, byte_offset, row_number, reason, raw FROM sluice_quarantine
            WHERE pipeline = ?1 AND quarantined_at >= ?2 AND (?3 IS NULL OR quarantined_at <= ?3)
              AND file_id IN (SELECT id FROM sluice_files WHERE pipeline = ?1 AND run_id = ?4)
            ORDER BY id
            """)
        query.bind(1, pipeline)
        query.bind(2, run.startedAt)
        query.bind(3, run.finishedAt)
        query.bind(4, run.id)
        try query.rows { row in
            body(QuarantineEntry(supplier: row.string(0) ?? "", file: row.string(1) ?? "", kind: row.string(2) ?? "",
                                 line: row.isNull(3) ? nil : Int(row.int(3)), byteOffset: row.isNull(4) ? nil : row.int(4),
                                 rowNumber: row.isNull(5) ? nil : Int(row.int(5)), reason: row.string(6) ?? "",
                                 raw: row.isNull(7) ? nil : row.bytes(7)))
        }
    }

    func hasTable(_ table: String) throws -> Bool {
        let query = try database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        query.bind(1, table)
        var found = false
        try query.rows { _ in found = true }
        return found
    }
}

extension SQLiteWarehouse {
    /// How a file was read, once per attempt; its header once per distinct header.
    func record(_ reading: FileReading, of fileID: Int64) throws {
        let header = try statements("INSERT OR IGNORE INTO sluice_headers (digest, header) VALUES (?, ?)")
        header.bind(1, reading.headerDigest)
        header.bind(2, reading.header)
        try header.run()
        let file = try statements("UPDATE sluice_files SET read_with = ?2, header_digest = ?3, header_mapping = ?4, drift = ?5 WHERE id = ?1")
        file.bind(1, fileID)
        file.bind(2, reading.profileKey)
        file.bind(3, reading.headerDigest)
        file.bind(4, reading.mapping)
        file.bind(5, reading.drift)
        try file.run()
    }

    public func headerSightings() throws -> [HeaderSighting] {
        guard try hasColumn("header_digest", in: "sluice_files") else { return [] }
        let query = try database.prepare("""
            SELECT f.supplier, f.path, f.header_digest, h.header, f.drift FROM sluice_files f
            JOIN sluice_headers h ON h.digest = f.header_digest
            WHERE f.pipeline = ? ORDER BY f.supplier, f.id
            """)
        query.bind(1, pipeline)
        var sightings: [HeaderSighting] = []
        try query.rows { row in
            sightings.append(HeaderSighting(supplier: row.string(0) ?? "", file: row.string(1) ?? "", digest: row.string(2) ?? "",
                                            header: row.string(3) ?? "", drift: row.string(4)))
        }
        return sightings
    }
}
