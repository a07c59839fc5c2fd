import Foundation

/// A folder whose entries a settle changed, synced once for many files: the archive's by path
/// (it is the operator's), a supplier's through its held folder.
enum ChangedFolder: Hashable, Sendable {
    case archive(String)
    case supplier(SupplierFolder, String)
}

/// Carries out `after_load` durably: the file's bytes are synced, it is renamed (or removed),
/// and then the folders are synced (`sync`, once for many files), so a crash leaves it either
/// in place or settled. Everything in a supplier's folder is reached through its held
/// descriptor, and only the file that was listed (same device and inode) is moved or removed.
struct Settler: Sendable {
    let action: SettleDefinition.Action
    let archiveRoot: URL?

    /// Moves or removes the file; returns the folders to sync before the store records it.
    /// - Throws: `ReadError(.io)` naming the file and the step that failed.
    func move(_ file: DiscoveredFile, fileID: Int64) throws -> [ChangedFolder] {
        // An endpoint's files stay where the supplier serves them.
        guard action != .keep, !file.isRemote else { return [] }
        let shown = ControlCharacters.escaped(file.path)
        let folder = try file.folder ?? SupplierFolder(path: file.directory)
        let (parent, name, parentPath) = try folder.splitParent(file.relativePath)
        defer { close(parent) }
        // Only the version that was loaded is moved or removed; a replacement is left alone.
        var status = stat()
        guard fstatat(parent, name, &status, AT_SYMLINK_NOFOLLOW) == 0, SupplierFolder.notRegular(status) == nil,
              FileSnapshot(status) == FileSnapshot(file), file.identity.map({ $0 == FileIdentity(status) }) ?? true else {
            throw ReadError(.changed, "settle \(action.rawValue): \(shown) changed, was replaced or vanished after it was loaded; left as it is")
        }
        let source = ChangedFolder.supplier(folder, parentPath)
        switch action {
        case .keep:
            return []
        case .delete:
            try check(unlinkat(parent, name, 0), "cannot delete", shown)
            return [source]
        case .archive:
            guard let archiveRoot else { return [] }
            var target = archiveRoot.appendingPathComponent(file.supplier).appendingPathComponent(file.relativePath)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: target.path) {
                // The same name delivered again later: keep both, told apart by the file's id.
                target = target.deletingLastPathComponent().appendingPathComponent("\(target.lastPathComponent).\(fileID)")
            }
            let archive = ChangedFolder.archive(target.deletingLastPathComponent().path)
            let bytes = try folder.openFile(file.relativePath, expected: FileIdentity(status)).descriptor
            defer { close(bytes) }
            try check(fsync(bytes), "cannot sync", shown)
            if renameat(parent, name, AT_FDCWD, target.path) != 0 {
                guard errno == EXDEV else { throw failure("cannot move to \(target.path)", shown) }
                try copy(bytes, to: target.path, shown)
                // The copy's name must be durable before the original goes: two filesystems.
                sync([archive])
                try check(unlinkat(parent, name, 0), "cannot remove after copying", shown)
            }
            return [archive, source]
        }
    }

    /// Makes the moves and removals in these folders durable.
    func sync(_ folders: Set<ChangedFolder>) {
        for changed in folders {
            let descriptor: Int32 = switch changed {
            case .archive(let path): open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            case .supplier(let folder, let relative): (try? folder.openFolder(relative)) ?? -1
            }
            guard descriptor >= 0 else { continue }
            fsync(descriptor)
            close(descriptor)
        }
    }

    /// Where an archived file lands, to recognise a settle that finished before a crash.
    func archivedLocation(of supplier: String, _ relativePath: String) -> URL? {
        archiveRoot?.appendingPathComponent(supplier).appendingPathComponent(relativePath)
    }

    /// Copies the open file to a new file at `path` and syncs it (archiving across filesystems).
    private func copy(_ source: Int32, to path: String, _ shown: String) throws {
        let target = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard target >= 0 else { throw failure("cannot create \(path)", shown) }
        defer { close(target) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var offset: off_t = 0
        while true {
            let count = pread(source, buffer.baseAddress, buffer.count, offset)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure("cannot read", shown) }
            if count == 0 { break }
            var written = 0
            while written < count {
                let wrote = write(target, buffer.baseAddress! + written, count - written)
                if wrote < 0, errno == EINTR { continue }
                guard wrote > 0 else { throw failure("cannot write \(path)", shown) }
                written += wrote
            }
            offset += off_t(count)
        }
        try check(fsync(target), "cannot sync", path)
    }

    private func check(_ status: Int32, _ what: String, _ shown: String) throws {
        if status != 0 { throw failure(what, shown) }
    }

    private func failure(_ what: String, _ shown: String) -> ReadError {
        ReadError(.io, "settle \(action.rawValue): \(what) \(shown): \(String(cString: strerror(errno)))")
    }
}
