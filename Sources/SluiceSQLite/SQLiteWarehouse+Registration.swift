import SluiceCore

/// Recording discovered files: one row per version; what a new version means for the old is
/// `VersionPolicy`'s to say, and this runs its steps.
extension SQLiteWarehouse {
    public func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                         at time: Double) throws -> [FileRecord] {
        try serialized { try database.transaction {
            try files.map { file in
                if let known = try lookup(file) { return known }
                let insert = try statements(StoreSQL.insertFile)
                bindIdentity(of: file, to: insert)
                insert.bind(6, file.modified)
                insert.bind(7, time)
                try insert.run()
                let id = database.lastInsertRowID
                let history = VersionHistory(unfinished: try unfinishedVersions(of: file, newID: id),
                                             loaded: try loadedVersions(of: file, newID: id),
                                             pruned: try prunedVersion(of: file))
                let steps = try VersionPolicy.steps(for: file, newID: id, history: history, onChange: onChange,
                                                    onDuplicate: onDuplicate) { try sameContent(as: file, newID: id) }
                for step in steps { try run(step, for: file, at: time) }
                var record = try lookup(file)!
                record.registeredNow = true
                return record
            }
        } }
    }

    private func run(_ step: VersionStep, for file: DiscoveredFile, at time: Double) throws {
        switch step {
        case .supersede(let id, let reason, let forgetLoadedRows):
            try run(StoreSQL.deleteFileRows(table: table), id)
            try markVersion(id, .superseded, reason, at: time)
            if forgetLoadedRows { try run(StoreSQL.clearLoadedRows, id) }
        case .mark(let id, let state, let reason):
            try markVersion(id, state, reason, at: time)
        case .quarantineFile(let id, let reason):
            try insertQuarantine(fileID: id, supplier: file.supplier, file: file.relativePath, line: nil, offset: nil,
                                 rowNumber: nil, reason: reason, raw: nil, at: time)
        case .removePruned(let pruned):
            let delete = try statements(StoreSQL.deletePrunedRows(table: table))
            delete.bind(1, pruned.fileID)
            delete.bind(2, pruned.rowIDs?.lowerBound)
            delete.bind(3, pruned.rowIDs?.upperBound)
            try delete.run()
            let forget = try statements(StoreSQL.forgetPruned)
            bindPath(of: file, to: forget)
            try forget.run()
        }
    }

    /// Earlier versions of the same supplier path that loaded.
    private func loadedVersions(of file: DiscoveredFile, newID: Int64) throws -> [PriorVersion] {
        let query = try statements(StoreSQL.doneVersions)
        bindPath(of: file, to: query)
        query.bind(4, newID)
        var versions: [PriorVersion] = []
        try query.rows { versions.append(PriorVersion(id: $0.int(0), size: $0.int(1))) }
        return versions
    }

    private func unfinishedVersions(of file: DiscoveredFile, newID: Int64) throws -> [Int64] {
        let query = try statements(StoreSQL.unfinishedVersions)
        bindPath(of: file, to: query)
        query.bind(4, newID)
        var ids: [Int64] = []
        try query.rows { ids.append($0.int(0)) }
        return ids
    }

    /// Another file, under any name or supplier, with the same size and fingerprint that is not rejected.
    private func sameContent(as file: DiscoveredFile, newID: Int64) throws -> String? {
        let query = try statements(StoreSQL.sameContent)
        query.bind(1, pipeline)
        query.bind(2, file.size)
        query.bind(3, file.fingerprint)
        query.bind(4, newID)
        var original: String?
        try query.rows { original = "\($0.string(0) ?? "")/\($0.string(1) ?? "")" }
        return original
    }

    private func prunedVersion(of file: DiscoveredFile) throws -> PrunedVersion? {
        let query = try statements(StoreSQL.findPruned)
        bindPath(of: file, to: query)
        var found: PrunedVersion?
        try query.rows { row in
            found = PrunedVersion(fileID: row.int(0), size: row.int(1), fingerprint: row.string(2) ?? "",
                                  rowIDs: row.isNull(3) || row.isNull(4) ? nil : row.int(3)...row.int(4))
        }
        return found
    }

    private func markVersion(_ id: Int64, _ state: FileState, _ reason: String, at time: Double) throws {
        let update = try statements(StoreSQL.markVersion)
        update.bind(1, state.rawValue)
        update.bind(2, reason)
        update.bind(3, time)
        update.bind(4, id)
        try update.run()
    }

    private func lookup(_ file: DiscoveredFile) throws -> FileRecord? {
        let query = try statements(StoreSQL.findFile)
        bindIdentity(of: file, to: query)
        var found: FileRecord?
        try query.rows { found = Self.fileRecord($0) }
        return found
    }

    /// A file's place as parameters 1 to 3: pipeline, supplier, path.
    private func bindPath(of file: DiscoveredFile, to statement: SQLiteStatement) {
        statement.bind(1, pipeline)
        statement.bind(2, file.supplier)
        statement.bind(3, file.relativePath)
    }

    /// A file version's identity as parameters 1 to 5: pipeline, supplier, path, size, fingerprint.
    private func bindIdentity(of file: DiscoveredFile, to statement: SQLiteStatement) {
        bindPath(of: file, to: statement)
        statement.bind(4, file.size)
        statement.bind(5, file.fingerprint)
    }
}
