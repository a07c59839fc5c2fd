import SluiceCore

/// The read side of `sluice report`: one run's record, files, stage latencies and quarantine.
extension SQLiteWarehouse {
    /// Run `id`, or the latest run when nil; nil when there is no such run.
    /// - Throws: `StoreError`.
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

    /// Every file run `id` started and finished, in the order they started.
    /// - Throws: `StoreError`.
    public func reportedFiles(run id: Int64) throws -> [ReportedFile] {
        let blankLines = try hasColumn("blank_lines", in: "sluice_files") ? "blank_lines" : "0"
        let query = try database.prepare("""
            SELECT supplier, path, state, started_at, finished_at, COALESCE(slot_wait, 0), attempts,
                   rows_read, rows_loaded, rows_quarantined, rows_filtered, \(blankLines)
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
                                filtered: Int(row.int(10)), blankLinesSkipped: Int(row.int(11)))))
        }
        return files
    }

    /// The latency percentiles run `id` kept, in stage order; none for a run from before they were kept.
    /// - Throws: `StoreError`.
    public func stageLatencies(run id: Int64) throws -> [StageLatency] {
        guard try hasTable("sluice_run_stages") else { return [] }
        let query = try database.prepare("SELECT stage, count, p50, p95, p99, max FROM sluice_run_stages WHERE run_id = ?")
        query.bind(1, id)
        var latencies: [StageLatency] = []
        try query.rows { row in
            latencies.append(StageLatency(stage: row.string(0) ?? "", count: Int(row.int(1)), p50: row.double(2),
                                          p95: row.double(3), p99: row.double(4), max: row.double(5)))
        }
        return latencies.sorted { (StageLatency.stages.firstIndex(of: $0.stage) ?? 99) < (StageLatency.stages.firstIndex(of: $1.stage) ?? 99) }
    }

    /// The commonest kinds of quarantine reason among the files run `run` started and during
    /// it, with up to `examples` rows each.
    /// - Throws: `StoreError`.
    public func quarantineReasons(run: RunRecord, top: Int, examples: Int) throws -> [QuarantineReason] {
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
        var reasons: [String: QuarantineReason] = [:]
        try query.rows { row in
            let reason = row.string(6) ?? ""
            let kind = QuarantineReason.kind(of: reason)
            var entry = reasons[kind] ?? QuarantineReason(reason: kind, count: 0, examples: [])
            entry.count += 1
            if entry.examples.count < examples {
                entry.examples.append(QuarantineExample(QuarantineEntry(
                    supplier: row.string(0) ?? "", file: row.string(1) ?? "", kind: row.string(2) ?? "",
                    line: row.isNull(3) ? nil : Int(row.int(3)), byteOffset: row.isNull(4) ? nil : row.int(4),
                    rowNumber: row.isNull(5) ? nil : Int(row.int(5)), reason: reason, raw: row.isNull(7) ? nil : row.bytes(7))))
            }
            reasons[kind] = entry
        }
        return Array(reasons.values.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }.prefix(top))
    }

    func hasTable(_ table: String) throws -> Bool {
        let query = try database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
        query.bind(1, table)
        var found = false
        try query.rows { _ in found = true }
        return found
    }
}
