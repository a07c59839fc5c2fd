import Foundation
import Synchronization

/// Supplier files from directories: a root whose subdirectories are suppliers, or a declared list.
public struct DirectorySource: FileSource {
    public let supplierDirectories: [(name: String, path: URL)]
    public let patterns: [String]
    /// The folder whose subdirectories are suppliers, if the definition names one.
    public let root: URL?

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
        dirs += Self.subdirectories(of: root, besides: Set(definition.suppliers.map(\.name)))
        supplierDirectories = dirs
    }

    /// Subdirectories of the root, in name order, that are not among `known`: suppliers that
    /// appeared (none when the root cannot be listed now, or there is none).
    public func suppliersAppeared(besides known: Set<String>) -> [(name: String, path: URL)] {
        Self.subdirectories(of: root, besides: known)
    }

    private static func subdirectories(of root: URL?, besides known: Set<String>) -> [(name: String, path: URL)] {
        guard let root, let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.sorted().compactMap { name in
            guard !Self.isHidden(name), !known.contains(name) else { return nil }
            var isDirectory: ObjCBool = false
            let url = root.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
            return (name, url)
        }
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

    /// The names in a directory with their types as `readdir` reports them.
    private static func entries(of path: String) -> [(name: String, type: Int32)] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var entries: [(name: String, type: Int32)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name != ".", name != ".." else { continue }
            var type = Int32(entry.pointee.d_type)
            if type == DT_UNKNOWN {
                // Some file systems leave the type out of the listing.
                var status = stat()
                guard lstat(path + "/" + name, &status) == 0 else { continue }
                let format = status.st_mode & S_IFMT
                type = Int32(format == S_IFDIR ? DT_DIR : format == S_IFLNK ? DT_LNK : DT_REG)
            }
            entries.append((name, type))
        }
        return entries
    }

    private static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
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

    /// Lists the supplier directory `supplier` names, with `stat` only.
    /// - Throws: `ReadError` when the supplier directory cannot be listed at all.
    public func list(_ supplier: (name: String, path: URL)) throws -> Listing {
        let (supplier, directory) = supplier
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let handle = opendir(directory.path) else {
            throw ReadError(.notFound, "supplier \(supplier): \(directory.path) is not a readable directory")
        }
        closedir(handle)
        let root = directory.resolvingSymlinksInPath().path
        var listing = Listing(supplier: supplier, directory: directory.path, root: root)
        // Walk the resolved path: a supplier directory that is itself a link is still listed.
        // Directories that are links are not followed; a file that is a link must stay inside.
        var pending = [""]
        while let folder = pending.popLast() {
            let folderPath = folder.isEmpty ? root : root + "/" + folder
            listing.folders.append(FolderTime(path: folder, modified: FileSnapshot(path: folderPath)?.modified ?? 0))
            for (name, type) in Self.entries(of: folderPath) where !Self.isHidden(name) {
                let relative = folder.isEmpty ? name : folder + "/" + name
                if type == DT_DIR {
                    pending.append(relative)
                    continue
                }
                if matches(name) == false {
                    if type == DT_REG || type == DT_LNK { listing.otherNames.insert(relative) }
                    continue
                }
                let path = root + "/" + relative
                if type == DT_LNK {
                    let resolved = Self.resolvedPath(path) ?? path
                    guard resolved == root || resolved.hasPrefix(root + "/") else {
                        listing.problems.append(DiscoveryProblem(supplier: supplier, relativePath: relative,
                            reason: "refused: a link that leads outside the supplier directory (to \(resolved))"))
                        continue
                    }
                }
                // One stat gives the type, size and mtime.
                guard let snapshot = FileSnapshot(path: path), snapshot.isRegularFile else { continue }
                listing.files.append(ListedFile(relativePath: relative, size: snapshot.size, modified: snapshot.modified))
            }
        }
        return listing
    }

    /// A listed file with its content fingerprint; nil when it vanished meanwhile (nothing was
    /// delivered after all), a problem when it cannot be read.
    public func fingerprinted(_ file: ListedFile, in listing: Listing) -> Fingerprinted {
        let fingerprint: String
        do {
            fingerprint = try Fingerprint.of(path: listing.root + "/" + file.relativePath, size: file.size)
        } catch let error as ReadError where error.kind == .notFound {
            return .vanished
        } catch {
            return .unreadable(DiscoveryProblem(supplier: listing.supplier, relativePath: file.relativePath,
                                                reason: "cannot be read (\(error)); it is tried again by the next run"))
        }
        return .file(DiscoveredFile(supplier: listing.supplier, relativePath: file.relativePath,
                                       directory: listing.directory, size: file.size, modified: file.modified,
                                       fingerprint: fingerprint, isGzip: file.relativePath.hasSuffix(".gz")))
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
}
