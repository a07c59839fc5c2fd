import Foundation

/// Carries out `after_load` durably: the file's bytes are synced, it is renamed (or removed),
/// and then the folders are synced (`sync`, once for many files), so a crash leaves it either
/// in place or settled.
struct Settler: Sendable {
    let action: SettleDefinition.Action
    let archiveRoot: URL?

    /// Moves or removes the file; returns the folders to sync before the store records it.
    /// - Throws: `ReadError(.io)` naming the file and the step that failed.
    func move(_ file: DiscoveredFile, fileID: Int64) throws -> [String] {
        // An endpoint's files stay where the supplier serves them.
        guard action != .keep, !file.isRemote else { return [] }
        // Only the version that was loaded is moved or removed; a replacement is left alone.
        guard FileSnapshot(path: file.path) == FileSnapshot(file) else {
            throw ReadError(.changed, "settle \(action.rawValue): \(file.path) changed or vanished after it was loaded; left as it is")
        }
        let folder = file.url.deletingLastPathComponent().path
        switch action {
        case .keep:
            return []
        case .delete:
            try check(unlink(file.path), "cannot delete", file.path)
            return [folder]
        case .archive:
            guard let archiveRoot else { return [] }
            var target = archiveRoot.appendingPathComponent(file.supplier).appendingPathComponent(file.relativePath)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: target.path) {
                // The same name delivered again later: keep both, told apart by the file's id.
                target = target.deletingLastPathComponent().appendingPathComponent("\(target.lastPathComponent).\(fileID)")
            }
            try syncFile(file.url)
            if rename(file.path, target.path) != 0 {
                guard errno == EXDEV else { throw failure("cannot move to \(target.path)", file.path) }
                try FileManager.default.copyItem(at: file.url, to: target)
                try syncFile(target)
                // The copy's name must be durable before the original goes: two filesystems.
                sync([target.deletingLastPathComponent().path])
                try check(unlink(file.path), "cannot remove after copying", file.path)
            }
            return [target.deletingLastPathComponent().path, folder]
        }
    }

    /// Makes the moves and removals in these folders durable.
    func sync(_ folders: Set<String>) {
        for folder in folders {
            let descriptor = open(folder, O_RDONLY | O_DIRECTORY)
            guard descriptor >= 0 else { continue }
            fsync(descriptor)
            close(descriptor)
        }
    }

    /// Where an archived file lands, to recognise a settle that finished before a crash.
    func archivedLocation(of supplier: String, _ relativePath: String) -> URL? {
        archiveRoot?.appendingPathComponent(supplier).appendingPathComponent(relativePath)
    }

    private func syncFile(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw failure("cannot open to sync", url.path) }
        defer { close(descriptor) }
        try check(fsync(descriptor), "cannot sync", url.path)
    }

    private func check(_ status: Int32, _ what: String, _ path: String) throws {
        if status != 0 { throw failure(what, path) }
    }

    private func failure(_ what: String, _ path: String) -> ReadError {
        ReadError(.io, "settle \(action.rawValue): \(what) \(path): \(String(cString: strerror(errno)))")
    }
}
