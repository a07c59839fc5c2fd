import SluiceCore

extension SQLiteWarehouse {
    /// Removes, in one transaction, the records of every path whose versions all finished (or
    /// settled) before `cutoff` and that the source no longer holds. A path still present is
    /// never pruned: its record is what keeps it from loading again. Of a path that loaded, the
    /// store keeps its name, size and fingerprint, so a later delivery under that name meets
    /// `on_change` instead of loading blindly. Quarantine entries stay.
    /// - Parameters:
    ///   - isPresent: whether the source holds `(supplier, path)` now.
    ///   - dryRun: count only.
    /// - Throws: `StoreError`.
    public func prune(finishedBefore cutoff: Double, isPresent: (String, String) -> Bool, dryRun: Bool = false,
                      at time: Double) throws -> PruneResult {
        try serialized { try database.transaction {
            var result = PruneResult()
            var prunable: [(supplier: String, path: String, records: Int)] = []
            // Kept: files still to load; a quarantined file whose good rows stay staged (a new
            // version must take them out); and the table's newest record, since SQLite gives a new
            // record the id after the highest, and staged rows and quarantine entries keep ids.
            let candidates = try database.prepare("""
                SELECT supplier, path, COUNT(*) FROM sluice_files WHERE pipeline = ? GROUP BY supplier, path
                HAVING MAX(state IN ('pending', 'loading', 'failed')
                           OR (state = 'quarantined' AND rows_loaded > 0)
                           OR id = (SELECT MAX(id) FROM sluice_files)
                           OR COALESCE(settled_at, finished_at) IS NULL OR COALESCE(settled_at, finished_at) >= ?) = 0
                """)
            candidates.bind(1, pipeline)
            candidates.bind(2, cutoff)
            try candidates.rows { prunable.append(($0.string(0) ?? "", $0.string(1) ?? "", Int($0.int(2)))) }
            for candidate in prunable {
                guard !isPresent(candidate.supplier, candidate.path) else {
                    result.stillPresent += 1
                    continue
                }
                result.paths += 1
                result.records += candidate.records
                if dryRun { continue }
                for sql in [StoreSQL.keepPrunedName, StoreSQL.deletePath] {
                    let statement = try statements(sql)
                    statement.bind(1, pipeline)
                    statement.bind(2, candidate.supplier)
                    statement.bind(3, candidate.path)
                    if sql == StoreSQL.keepPrunedName { statement.bind(4, time) }
                    try statement.run()
                }
            }
            return result
        } }
    }
}

extension StoreSQL {
    /// The newest loaded version of a path, kept as the path's memory.
    static let keepPrunedName = """
        INSERT OR REPLACE INTO sluice_pruned
            (pipeline, supplier, path, file_id, size, fingerprint, first_row_id, last_row_id, finished_at, pruned_at)
        SELECT pipeline, supplier, path, id, size, fingerprint, first_row_id, last_row_id, finished_at, ?4
        FROM sluice_files WHERE pipeline = ?1 AND supplier = ?2 AND path = ?3 AND state = 'done'
        ORDER BY id DESC LIMIT 1
        """

    /// A pruned version's staged rows, by the row id range its tombstone kept.
    static func deletePrunedRows(table: String) -> String {
        "DELETE FROM \(sqlIdentifier(table)) WHERE _file_id = ?1 AND rowid BETWEEN ?2 AND ?3"
    }

    static let deletePath = "DELETE FROM sluice_files WHERE pipeline = ? AND supplier = ? AND path = ?"
}
