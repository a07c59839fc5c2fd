import Foundation

/// Supplier files from directories: a root whose subdirectories are suppliers, or a declared list.
public struct DirectorySource: FileSource {
    public let supplierDirectories: [(name: String, path: URL)]
    public let patterns: [String]

    public init(definition: SourceDefinition) throws {
        var dirs = definition.suppliers.map { (name: $0.name, path: $0.path) }
        if let root = definition.root {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: root.path)
            } catch {
                throw ReadError(.notFound, "cannot list source.root \(root.path): \(error.localizedDescription)")
            }
            for name in names.sorted() where !Self.isHidden(name) && !dirs.contains(where: { $0.name == name }) {
                var isDirectory: ObjCBool = false
                let url = root.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    dirs.append((name, url))
                }
            }
        }
        supplierDirectories = dirs
        patterns = definition.patterns
    }

    public var suppliers: [String] { supplierDirectories.map(\.name) }

    public func discover() throws -> Discovery {
        var found = Discovery(files: [])
        for (supplier, directory) in supplierDirectories {
            let listed = try files(of: supplier, in: directory)
            found.files += listed.files
            found.problems += listed.problems
        }
        return found
    }

    /// Files a supplier is still writing (dot files, `.tmp`, `.part`, `_COPYING_`) are never picked up.
    static func isHidden(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part")
            || name.hasSuffix(".partial") || name.contains("_COPYING_")
    }

    func matches(_ name: String) -> Bool {
        patterns.contains { fnmatch($0, name, 0) == 0 }
    }

    private func files(of supplier: String, in directory: URL) throws -> Discovery {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let handle = opendir(directory.path) else {
            throw ReadError(.notFound, "supplier \(supplier): \(directory.path) is not a readable directory")
        }
        closedir(handle)
        let root = directory.resolvingSymlinksInPath().path
        // Walk the resolved path: a supplier directory that is itself a link is still listed.
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw ReadError(.notFound, "cannot list supplier \(supplier) at \(directory.path)")
        }
        var files: [DiscoveredFile] = []
        var problems: [DiscoveryProblem] = []
        func refuse(_ relative: String, _ reason: String) {
            problems.append(DiscoveryProblem(supplier: supplier, relativePath: relative, reason: reason))
        }
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if Self.isHidden(name) {
                walker.skipDescendants()
                continue
            }
            guard matches(name) else { continue }
            let url = directory.appendingPathComponent(relative)
            let resolved = url.resolvingSymlinksInPath().path
            // A link that leads outside the supplier's directory is not the supplier's file.
            guard resolved == root || resolved.hasPrefix(root + "/") else {
                refuse(relative, "refused: a link that leads outside the supplier directory (to \(resolved))")
                continue
            }
            // One stat gives the type, size and mtime.
            guard let snapshot = FileSnapshot(url), snapshot.isRegularFile else { continue }
            let (size, modified) = (snapshot.size, snapshot.modified)
            let fingerprint: String
            do {
                fingerprint = try Fingerprint.of(url, size: size)
            } catch let error as ReadError where error.kind == .notFound {
                continue  // gone between listing and hashing: nothing was delivered after all
            } catch {
                refuse(relative, "cannot be read (\(error)); it is tried again by the next run")
                continue
            }
            files.append(DiscoveredFile(supplier: supplier, relativePath: relative, url: url, size: size,
                                        modified: modified, fingerprint: fingerprint,
                                        isGzip: name.hasSuffix(".gz")))
        }
        return Discovery(files: files.sorted { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) },
                         problems: problems)
    }
}
