import Foundation
import Synchronization

/// Supplier files from directories: a root whose subdirectories are suppliers, or a declared list.
public struct DirectorySource: FileSource {
    public let supplierDirectories: [(name: String, path: URL)]
    public let patterns: [String]
    /// The folder whose subdirectories are suppliers, if the definition names one.
    public let root: URL?
    /// Folders under the root refused as suppliers (a name that is not folder-safe), escaped.
    public let refusedFolders: [String]
    /// Each supplier folder held open while its path leads to it.
    private let held = HeldFolders()

    public init(definition: SourceDefinition) throws {
        var dirs = definition.suppliers.compactMap { supplier in supplier.path.map { (name: supplier.name, path: $0) } }
        root = definition.root
        if let root {
            do {
                _ = try FileManager.default.contentsOfDirectory(atPath: root.path)
            } catch {
                throw ReadError(.notFound, "cannot list source.root \(root.path): \(error.localizedDescription)")
            }
        }
        patterns = definition.patterns
        // A folder named like a declared supplier (an endpoint among them) is not a supplier of its own.
        let found = Self.subdirectories(of: root, besides: Set(definition.suppliers.map(\.name)))
        dirs += found.accepted
        supplierDirectories = dirs
        refusedFolders = found.refused
    }

    /// Subdirectories of the root, in name order, that are not among `known`: suppliers that
    /// appeared (none when the root cannot be listed now, or there is none).
    /// Names that are not folder-safe come back escaped in `refused`.
    public func suppliersAppeared(besides known: Set<String>) -> (accepted: [(name: String, path: URL)], refused: [String]) {
        Self.subdirectories(of: root, besides: known)
    }

    /// A supplier folder under the root needs a name that is safe as a declared supplier's: it
    /// becomes the supplier's name in logs, the store and metrics.
    private static func subdirectories(of root: URL?, besides known: Set<String>)
        -> (accepted: [(name: String, path: URL)], refused: [String]) {
        guard let root, let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return ([], []) }
        var found: (accepted: [(name: String, path: URL)], refused: [String]) = ([], [])
        for name in names.sorted() where !Self.isHidden(name) && !known.contains(name) {
            var isDirectory: ObjCBool = false
            let url = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            if isSafeName(name) { found.accepted.append((name, url)) } else { found.refused.append(ControlCharacters.escaped(name)) }
        }
        return found
    }

    public var suppliers: [String] { supplierDirectories.map(\.name) }

    /// Lists the suppliers side by side: listing is stat and hashing, and each supplier is independent.
    public func discover() throws -> Discovery {
        let listings = Mutex([Result<Discovery, any Error>?](repeating: nil, count: supplierDirectories.count))
        DispatchQueue.concurrentPerform(iterations: supplierDirectories.count) { index in
            let listed = Result { try files(of: index) }
            listings.withLock { $0[index] = listed }
        }
        let listed = try listings.withLock { $0 }.map { try $0!.get() }
        var found = Discovery(files: [])
        found.files.reserveCapacity(listed.reduce(0) { $0 + $1.files.count })
        for listing in listed {
            found.files += listing.files
            found.problems += listing.problems
        }
        return found
    }

    /// Files a supplier is still writing (dot files, `.tmp`, `.part`, `_COPYING_`) are never picked up.
    public static func isHidden(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
            || name.hasSuffix(".partial") || name.contains("_COPYING_")
    }

    /// The names in an open directory with their types as `readdir` reports them; takes the descriptor.
    private static func entries(of descriptor: Int32) -> [(name: String, type: Int32)] {
        guard let handle = fdopendir(descriptor) else { close(descriptor); return [] }
        defer { closedir(handle) }
        var entries: [(name: String, type: Int32)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name != ".", name != ".." else { continue }
            var type = Int32(entry.pointee.d_type)
            if type == DT_UNKNOWN {
                // Some file systems leave the type out of the listing.
                var status = stat()
                guard fstatat(dirfd(handle), name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                let format = status.st_mode & S_IFMT
                type = Int32(format == S_IFDIR ? DT_DIR : format == S_IFLNK ? DT_LNK : format == S_IFREG ? DT_REG : DT_FIFO)
            }
            entries.append((name, type))
        }
        return entries
    }

    func matches(_ name: String) -> Bool { Self.matches(name, patterns) }

    /// Whether a file name (its last path part) matches one of the patterns.
    public static func matches(_ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { fnmatch($0, name, 0) == 0 }
    }

    /// Lists one supplier with `stat` only: what is there, its size and modification time.
    /// - Throws: `ReadError` when the supplier directory cannot be listed at all.
    public func list(supplier index: Int) throws -> Listing {
        try list(supplierDirectories[index])
    }

    /// Lists the supplier directory `supplier` names, with `stat` only, through descriptors.
    /// - Throws: `ReadError` when the supplier directory cannot be listed at all.
    public func list(_ supplier: (name: String, path: URL)) throws -> Listing {
        let (supplier, directory) = supplier
        let folder: SupplierFolder
        do {
            folder = try held.folder(at: directory.path)
        } catch let error as ReadError {
            throw ReadError(.notFound, "supplier \(supplier): \(error.message)")
        }
        var listing = Listing(supplier: supplier, directory: directory.path, root: folder.path)
        listing.folder = folder
        // Every folder is opened below its parent without following links: a link is a
        // problem of its own, whatever it points at, and a folder swapped for one is never entered.
        var pending: [(relative: String, descriptor: Int32)] = [("", try folder.openFolder(""))]
        while let (relative, descriptor) = pending.popLast() {
            var status = stat()
            let modified = fstat(descriptor, &status) == 0 ? FileSnapshot(status).modified : 0
            listing.folders.append(FolderTime(path: relative, modified: modified))
            let folderDescriptor = dup(descriptor)
            defer { if folderDescriptor >= 0 { close(folderDescriptor) } }
            for (name, type) in Self.entries(of: descriptor) where !Self.isHidden(name) {
                let path = relative.isEmpty ? name : relative + "/" + name
                if let problem = Self.nameProblem(name) {
                    listing.problems.append(DiscoveryProblem(supplier: supplier, relativePath: ControlCharacters.escaped(path), reason: problem))
                    continue
                }
                if type == DT_DIR {
                    let below = openat(folderDescriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if below >= 0 { pending.append((path, below)) }
                    continue
                }
                guard matches(name) else {
                    if type == DT_REG || type == DT_LNK { listing.otherNames.insert(path) }
                    continue
                }
                // One stat of the entry itself gives its type, size, time and identity.
                var status = stat()
                guard fstatat(folderDescriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                if let what = SupplierFolder.notRegular(status) {
                    listing.problems.append(DiscoveryProblem(supplier: supplier, relativePath: path,
                        reason: "refused: \(what); only regular files are read"))
                    continue
                }
                let snapshot = FileSnapshot(status)
                listing.files.append(ListedFile(relativePath: path, size: snapshot.size, modified: snapshot.modified,
                                                identity: FileIdentity(status)))
            }
        }
        return listing
    }

    /// Why a name in a supplier folder is refused: a control character (a NUL among them) would
    /// cut the name short in a store or forge a line in a log.
    static func nameProblem(_ name: String) -> String? {
        ControlCharacters.contains(in: name) ? "refused: the name holds a control character" : nil
    }

    /// A listed file with its content fingerprint; nil when it vanished meanwhile (nothing was
    /// delivered after all), a problem when it cannot be read.
    public func fingerprinted(_ file: ListedFile, in listing: Listing) -> Fingerprinted {
        let fingerprint: String
        do {
            guard let folder = listing.folder else { throw ReadError(.notFound, "no folder") }
            let (descriptor, _) = try folder.openFile(file.relativePath, expected: file.identity)
            defer { close(descriptor) }
            fingerprint = try Fingerprint.of(descriptor: descriptor, size: file.size, name: file.relativePath)
        } catch let error as ReadError where error.kind == .notFound {
            return .vanished
        } catch {
            return .unreadable(DiscoveryProblem(supplier: listing.supplier, relativePath: file.relativePath,
                                                reason: "cannot be read (\(error)); it is tried again by the next run"))
        }
        var found = DiscoveredFile(supplier: listing.supplier, relativePath: file.relativePath,
                                   directory: listing.directory, size: file.size, modified: file.modified,
                                   fingerprint: fingerprint, isGzip: file.relativePath.hasSuffix(".gz"))
        found.folder = listing.folder
        found.identity = file.identity
        return .file(found)
    }

    private func files(of index: Int) throws -> Discovery {
        let listing = try list(supplier: index)
        var found = Discovery(files: [], problems: listing.problems)
        found.files.reserveCapacity(listing.files.count)
        for file in listing.files {
            switch fingerprinted(file, in: listing) {
            case .file(let file): found.files.append(file)
            case .vanished: break
            case .unreadable(let problem): found.problems.append(problem)
            }
        }
        found.files.sort { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }
        return found
    }
}

/// One supplier's directory as a `stat`-only walk found it.
public struct Listing: Sendable {
    public var supplier: String
    /// The supplier directory as declared, and as resolved (where the walk ran).
    public var directory: String
    public var root: String
    /// The supplier folder, held open, that the walk ran in and the files are opened through.
    public var folder: SupplierFolder?
    public var files: [ListedFile] = []
    /// Folders walked, relative to the root ("" for the root itself), with their modification times.
    public var folders: [FolderTime] = []
    /// Files that do not match the patterns (ready markers among them).
    public var otherNames: Set<String> = []
    public var problems: [DiscoveryProblem] = []

    init(supplier: String, directory: String, root: String) {
        self.supplier = supplier
        self.directory = directory
        self.root = root
    }
}

/// A folder of a supplier and when its entries last changed.
public struct FolderTime: Sendable, Equatable {
    public var path: String
    public var modified: Double
}

/// A listed file once its content was sampled.
public enum Fingerprinted: Sendable {
    case file(DiscoveredFile)
    /// Gone between listing and reading: nothing was delivered after all.
    case vanished
    case unreadable(DiscoveryProblem)
}

/// A file a listing found, before its content is read.
public struct ListedFile: Sendable, Equatable {
    public var relativePath: String
    public var size: Int64
    public var modified: Double
    public var identity: FileIdentity?

    public init(relativePath: String, size: Int64, modified: Double, identity: FileIdentity? = nil) {
        self.relativePath = relativePath
        self.size = size
        self.modified = modified
        self.identity = identity
    }
}

/// Supplier folders held open, one per declared path, opened again when the path leads elsewhere.
final class HeldFolders: Sendable {
    private let folders = Mutex([String: SupplierFolder]())

    func folder(at path: String) throws -> SupplierFolder {
        if let folder = folders.withLock({ $0[path] }), folder.isStill(at: path) { return folder }
        let folder = try SupplierFolder(path: path)
        folders.withLock { $0[path] = folder }
        return folder
    }
}
