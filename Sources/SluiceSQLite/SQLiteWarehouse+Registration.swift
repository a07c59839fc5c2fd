import SluiceCore

/// Recording discovered files: one row per version, and what a new version means for the old.
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
                try supersedeUnfinishedVersions(of: file, newID: id, at: time)
                let loaded = try loadedVersions(of: file, newID: id)
                if !loaded.isEmpty {
                    try handleChange(of: file, newID: id, previousSize: loaded[0].1, policy: onChange, at: time) {
                        for (oldID, _) in loaded {
                            try run(StoreSQL.deleteFileRows(table: table), oldID)
                            try markVersion(oldID, .superseded, "replaced by a new version (on_change: reload)", at: time)
                        }
                    }
                } else if let pruned = try prunedVersion(of: file) {
                    try handleReturn(of: file, newID: id, pruned: pruned, policy: onChange, at: time)
                } else if onDuplicate == .skip, let original = try sameContent(as: file, newID: id) {
                    try markVersion(id, .duplicate, "same content as \(original); not loaded (on_duplicate: skip)", at: time)
                }
                var record = try lookup(file)!
                record.registeredNow = true
                return record
            }
        } }
    }

    /// Earlier versions of the same supplier path that loaded: (id, size).
    fileprivate func loadedVersions(of file: DiscoveredFile, newID: Int64) throws -> [(Int64, Int64)] {
        let query = try statements(StoreSQL.doneVersions)
        query.bind(1, pipeline)
        query.bind(2, file.supplier)
        query.bind(3, file.relativePath)
        query.bind(4, newID)
        var versions: [(Int64, Int64)] = []
        try query.rows { versions.append(($0.int(0), $0.int(1))) }
        return versions
    }

    /// A new version replaces one that never finished (a crash, a failure, rows kept from a
    /// truncated delivery): its committed rows go, in this same transaction, so the two
    /// versions never stand side by side in the staging table.
    fileprivate func supersedeUnfinishedVersions(of file: DiscoveredFile, newID: Int64, at time: Double) throws {
        let query = try statements(StoreSQL.unfinishedVersions)
        query.bind(1, pipeline)
        query.bind(2, file.supplier)
        query.bind(3, file.relativePath)
        query.bind(4, newID)
        var ids: [Int64] = []
        try query.rows { ids.append($0.int(0)) }
        for id in ids {
            try run(StoreSQL.deleteFileRows(table: table), id)
            try markVersion(id, .superseded, "replaced by a new version of the file before it finished loading", at: time)
            try run(StoreSQL.clearLoadedRows, id)
        }
    }

    /// Another file, under any name or supplier, with the same size and fingerprint that is not rejected.
    fileprivate func sameContent(as file: DiscoveredFile, newID: Int64) throws -> String? {
        let query = try statements(StoreSQL.sameContent)
        query.bind(1, pipeline)
        query.bind(2, file.size)
        query.bind(3, file.fingerprint)
        query.bind(4, newID)
        var original: String?
        try query.rows { original = "\($0.string(0) ?? "")/\($0.string(1) ?? "")" }
        return original
    }

    /// A file that loaded came back with other content: reject it, ignore it, or replace the old rows.
    fileprivate func handleChange(of file: DiscoveredFile, newID: Int64, previousSize: Int64, policy: ChangePolicy,
                                  at time: Double, removeOldRows: () throws -> Void) throws {
        let name = "\(file.supplier)/\(file.relativePath)"
        switch policy {
        case .fail:
            let reason = "\(name) changed after it was loaded (was \(previousSize) bytes, now \(file.size)); it is not loaded again (on_change: fail)"
            try markVersion(newID, .quarantined, reason, at: time)
            try insertQuarantine(fileID: newID, supplier: file.supplier, file: file.relativePath, line: nil, offset: nil,
                                 rowNumber: nil, reason: reason, raw: nil, at: time)
        case .ignore:
            try markVersion(newID, .ignored, "\(name) changed after it was loaded; ignored (on_change: ignore)", at: time)
        case .reload:
            try removeOldRows()
        }
    }

    /// A file delivered again under the name of a loaded file whose record `sluice prune` removed:
    /// the same content is not loaded twice, other content meets `on_change` as any change does.
    fileprivate func handleReturn(of file: DiscoveredFile, newID: Int64, pruned: PrunedVersion, policy: ChangePolicy,
                                  at time: Double) throws {
        guard pruned.size != file.size || pruned.fingerprint != file.fingerprint else {
            try markVersion(newID, .duplicate, "\(file.supplier)/\(file.relativePath) loaded before (its record was pruned); not loaded again", at: time)
            return
        }
        try handleChange(of: file, newID: newID, previousSize: pruned.size, policy: policy, at: time) {
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

    fileprivate func prunedVersion(of file: DiscoveredFile) throws -> PrunedVersion? {
        let query = try statements(StoreSQL.findPruned)
        bindPath(of: file, to: query)
        var found: PrunedVersion?
        try query.rows { row in
            found = PrunedVersion(fileID: row.int(0), size: row.int(1), fingerprint: row.string(2) ?? "",
                                  rowIDs: row.isNull(3) || row.isNull(4) ? nil : row.int(3)...row.int(4))
        }
        return found
    }

    fileprivate func markVersion(_ id: Int64, _ state: FileState, _ reason: String, at time: Double) throws {
        let update = try statements(StoreSQL.markVersion)
        update.bind(1, state.rawValue)
        update.bind(2, reason)
        update.bind(3, time)
        update.bind(4, id)
        try update.run()
    }

    fileprivate func lookup(_ file: DiscoveredFile) throws -> FileRecord? {
        let query = try statements(StoreSQL.findFile)
        bindIdentity(of: file, to: query)
        var found: FileRecord?
        try query.rows { found = Self.fileRecord($0) }
        return found
    }

    /// A file's place as parameters 1 to 3: pipeline, supplier, path.
    fileprivate func bindPath(of file: DiscoveredFile, to statement: SQLiteStatement) {
        statement.bind(1, pipeline)
        statement.bind(2, file.supplier)
        statement.bind(3, file.relativePath)
    }

    /// A file version's identity as parameters 1 to 5: pipeline, supplier, path, size, fingerprint.
    fileprivate func bindIdentity(of file: DiscoveredFile, to statement: SQLiteStatement) {
        bindPath(of: file, to: statement)
        statement.bind(4, file.size)
        statement.bind(5, file.fingerprint)
    }
}
