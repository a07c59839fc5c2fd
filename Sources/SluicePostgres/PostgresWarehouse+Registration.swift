import SluiceCore

/// Recording discovered files in three statements per slice (find the known, insert the new,
/// find which new ones have older versions); only a path with history meets `VersionPolicy`.
extension PostgresWarehouse {
    public func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                         at time: Double) throws -> [FileRecord] {
        try serialized { try connection.transaction {
            // Workers sharing the store list the same files: they register them one at a time.
            try connection.query("SELECT pg_advisory_xact_lock(hashtext('sluice register ' || $1))", [pipeline])
            var records = try known(files)
            var seen = Set<Identity>()
            let new = files.filter { records[Identity($0)] == nil && seen.insert(Identity($0)).inserted }
            guard !new.isEmpty else { return files.map { records[Identity($0)]! } }
            let inserted = try connection.query(PostgresSQL.insertFiles, [
                pipeline, array(new.map(\.supplier)), array(new.map(\.relativePath)), array(new.map { text($0.size) }),
                array(new.map(\.fingerprint)), array(new.map { text($0.modified) }), text(time),
            ])
            var ids: [Identity: Int64] = [:]
            for row in 0..<inserted.count {
                let identity = Identity(supplier: inserted.string(row, 1) ?? "", path: inserted.string(row, 2) ?? "",
                                        size: inserted.int(row, 3), fingerprint: inserted.string(row, 4) ?? "")
                ids[identity] = inserted.int(row, 0)
            }
            var withHistory = try pathsWithHistory(new, excluding: Array(ids.values))
            // Two versions of one path in this slice: the later one meets the earlier.
            var seenPaths = Set<Path>()
            for file in new where !seenPaths.insert(Path(file)).inserted { withHistory.insert(Path(file)) }
            // Oldest first, as the policy would meet them one by one.
            for file in new.sorted(by: { ids[Identity($0)]! < ids[Identity($1)]! }) {
                let id = ids[Identity(file)]!
                let history = withHistory.contains(Path(file)) ? try self.history(of: file, newID: id) : VersionHistory()
                let steps = try VersionPolicy.steps(for: file, newID: id, history: history, onChange: onChange,
                                                    onDuplicate: onDuplicate) { try sameContent(as: file, newID: id) }
                for step in steps { try run(step, for: file, at: time) }
                var record = steps.isEmpty
                    ? FileRecord(id: id, supplier: file.supplier, relativePath: file.relativePath, size: file.size,
                                 fingerprint: file.fingerprint, state: .pending)
                    : try known([file])[Identity(file)]!
                record.registeredNow = true
                records[Identity(file)] = record
            }
            return files.map { records[Identity($0)]! }
        } }
    }

    private struct Identity: Hashable {
        var supplier: String
        var path: String
        var size: Int64
        var fingerprint: String

        init(supplier: String, path: String, size: Int64, fingerprint: String) {
            (self.supplier, self.path, self.size, self.fingerprint) = (supplier, path, size, fingerprint)
        }

        init(_ file: DiscoveredFile) {
            self.init(supplier: file.supplier, path: file.relativePath, size: file.size, fingerprint: file.fingerprint)
        }
    }

    private struct Path: Hashable {
        var supplier: String
        var path: String

        init(supplier: String, path: String) {
            (self.supplier, self.path) = (supplier, path)
        }

        init(_ file: DiscoveredFile) {
            self.init(supplier: file.supplier, path: file.relativePath)
        }
    }

    private func known(_ files: [DiscoveredFile]) throws -> [Identity: FileRecord] {
        let rows = try connection.query(PostgresSQL.findFiles, [
            pipeline, array(files.map(\.supplier)), array(files.map(\.relativePath)), array(files.map { text($0.size) }),
            array(files.map(\.fingerprint)),
        ])
        var records: [Identity: FileRecord] = [:]
        for row in 0..<rows.count {
            let record = Self.fileRecord(rows, row)
            records[Identity(supplier: record.supplier, path: record.relativePath, size: record.size,
                             fingerprint: record.fingerprint)] = record
        }
        return records
    }

    private func pathsWithHistory(_ files: [DiscoveredFile], excluding ids: [Int64]) throws -> Set<Path> {
        let rows = try connection.query(PostgresSQL.pathsWithHistory, [
            pipeline, array(files.map(\.supplier)), array(files.map(\.relativePath)), array(ids.map(text)),
        ])
        return Set((0..<rows.count).map { Path(supplier: rows.string($0, 0) ?? "", path: rows.string($0, 1) ?? "") })
    }

    private func history(of file: DiscoveredFile, newID: Int64) throws -> VersionHistory {
        let place = [pipeline, file.supplier, file.relativePath, text(newID)]
        let unfinished = try connection.query(PostgresSQL.unfinishedVersions, place)
        let done = try connection.query(PostgresSQL.doneVersions, place)
        return VersionHistory(unfinished: (0..<unfinished.count).map { unfinished.int($0, 0) },
                              loaded: (0..<done.count).map { PriorVersion(id: done.int($0, 0), size: done.int($0, 1)) })
    }

    private func sameContent(as file: DiscoveredFile, newID: Int64) throws -> String? {
        let rows = try connection.query(PostgresSQL.sameContent, [pipeline, text(file.size), file.fingerprint, text(newID)])
        return rows.count == 0 ? nil : "\(rows.string(0, 0) ?? "")/\(rows.string(0, 1) ?? "")"
    }

    private func run(_ step: VersionStep, for file: DiscoveredFile, at time: Double) throws {
        switch step {
        case .supersede(let id, let reason, let forgetLoadedRows):
            try deleteRows(ofFile: id)
            try mark(id, .superseded, reason, at: time)
            if forgetLoadedRows { try connection.query("UPDATE sluice_files SET rows_loaded = 0 WHERE id = $1::bigint", [text(id)]) }
        case .mark(let id, let state, let reason):
            try mark(id, state, reason, at: time)
        case .quarantineFile(let id, let reason):
            try connection.query("""
                INSERT INTO sluice_quarantine (pipeline, file_id, supplier, file, kind, reason, quarantined_at)
                VALUES ($1, $2::bigint, $3, $4, 'file', $5, $6::float8)
                """, [pipeline, text(id), file.supplier, file.relativePath, reason, text(time)])
        case .removePruned:
            // `sluice prune` keeps no pruned versions in PostgreSQL, so the policy never asks this.
            break
        }
    }

    private func mark(_ id: Int64, _ state: FileState, _ reason: String, at time: Double) throws {
        try connection.query("UPDATE sluice_files SET state = $1, last_error = $2, finished_at = $3::float8 WHERE id = $4::bigint",
                             [state.rawValue, reason, text(time), text(id)])
    }
}
