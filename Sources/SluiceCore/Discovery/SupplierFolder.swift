import Foundation

/// The device and inode of a file as a listing saw it: the same name later may be another file.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public init(_ status: stat) {
        self.init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }
}

/// A supplier folder held open, so everything below it is reached through descriptors.
///
/// A supplier controls what is inside its folder, and can swap a subfolder for a link or a file
/// for a FIFO between listing and reading. Every path below the folder is walked one part at a
/// time with `openat(O_NOFOLLOW)`, so no link is ever followed and nothing outside is reached;
/// a file is opened non-blocking and checked to be the regular file the listing saw.
/// The folder itself is the operator's: a declared folder that is a link is resolved once.
public final class SupplierFolder: Sendable, Hashable {
    /// The folder as resolved when it was opened.
    public let path: String
    let descriptor: Int32
    let identity: FileIdentity

    /// - Throws: `ReadError(.notFound)` when the folder cannot be opened as a directory.
    public init(path declared: String) throws {
        guard let resolved = realpath(declared, nil) else {
            throw ReadError(.notFound, "\(declared) is not a readable directory: \(String(cString: strerror(errno)))")
        }
        path = String(cString: resolved)
        free(resolved)
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        var status = stat()
        guard descriptor >= 0, fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            throw ReadError(.notFound, "\(declared) is not a readable directory: \(reason)")
        }
        identity = FileIdentity(status)
    }

    deinit { close(descriptor) }

    public static func == (lhs: SupplierFolder, rhs: SupplierFolder) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// Whether the declared path still leads to this folder (an operator may replace it).
    public func isStill(at declared: String) -> Bool {
        var status = stat()
        return stat(declared, &status) == 0 && FileIdentity(status) == identity
    }

    /// Opens the folder at `relative` ("" for this one) without following a link on the way.
    /// - Returns: a descriptor the caller closes.
    /// - Throws: `ReadError` naming the part that is not a plain folder.
    public func openFolder(_ relative: String) throws -> Int32 {
        // A new open of the folder, not a `dup`: a duplicate shares the read position, and a
        // listing through it would start where the last one ended.
        var current = openat(descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard current >= 0 else { throw Self.failure("cannot open", relative) }
        for part in try Self.parts(of: relative) {
            let parent = current
            defer { close(parent) }
            current = openat(parent, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard current >= 0 else {
                let code = errno
                var status = stat()
                if code == ELOOP || code == ENOTDIR, fstatat(parent, part, &status, AT_SYMLINK_NOFOLLOW) == 0,
                   let what = Self.notRegular(status) {
                    let shown = ControlCharacters.escaped(relative)
                    throw ReadError(.changed, "\(shown): its folder \(ControlCharacters.escaped(part)) is now \(what)")
                }
                throw Self.failure(code, "folder", relative)
            }
        }
        return current
    }

    /// Opens a listed file for reading: never through a link, never blocking on a FIFO, and only
    /// when it is a regular file (and, when given, the one with `expected` identity).
    /// - Returns: the descriptor, which the caller closes, and its status.
    /// - Throws: `ReadError(.notFound)` when it is gone, `.changed` when another file or
    ///   something that is not a regular file stands there now.
    public func openFile(_ relative: String, expected: FileIdentity? = nil) throws -> (descriptor: Int32, status: stat) {
        let (folder, name, _) = try splitParent(relative)
        defer { close(folder) }
        let descriptor = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw Self.failure(errno, "file", relative) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = Self.failure(errno, "file", relative)
            close(descriptor)
            throw error
        }
        if let problem = Self.notRegular(status) ?? expected.flatMap({ FileIdentity(status) == $0 ? nil : "another file than the one listed" }) {
            close(descriptor)
            throw ReadError(.changed, "\(relative) is now \(problem); it is not read")
        }
        return (descriptor, status)
    }

    /// The status of the entry at `relative` itself (a link is not followed); nil when absent.
    public func status(of relative: String) -> stat? {
        guard let (folder, name, _) = try? splitParent(relative) else { return nil }
        defer { close(folder) }
        var status = stat()
        return fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 ? status : nil
    }

    /// The parent folder of `relative`, opened (the caller closes it), its path, and the last part.
    func splitParent(_ relative: String) throws -> (folder: Int32, name: String, parent: String) {
        var parts = try Self.parts(of: relative)
        guard let name = parts.popLast() else { throw ReadError(.notFound, "an empty path") }
        let parent = parts.joined(separator: "/")
        return (try openFolder(parent), name, parent)
    }

    /// What a status says the entry is, when it is not a regular file; nil for a regular file.
    public static func notRegular(_ status: stat) -> String? {
        switch status.st_mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: "a symbolic link, which is not followed"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        default: "not a regular file"
        }
    }

    /// The parts of a relative path; `.`, `..` and empty parts are refused, never resolved.
    static func parts(of relative: String) throws -> [String] {
        guard !relative.isEmpty else { return [] }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw ReadError(.notFound, "refused path \(ControlCharacters.escaped(relative)): only plain names are followed")
        }
        return parts
    }

    private static func failure(_ code: Int32, _ what: String, _ relative: String) -> ReadError {
        let shown = ControlCharacters.escaped(relative)
        switch code {
        case ENOENT: return ReadError(.notFound, "\(shown) is gone")
        case ELOOP: return ReadError(.changed, "\(shown) leads through a symbolic link, which is not followed")
        case ENOTDIR: return ReadError(.changed, "\(shown) leads through something that is not a folder")
        case EACCES, EPERM: return ReadError(.permission, "cannot open \(what) \(shown): \(String(cString: strerror(code)))")
        default: return ReadError(.io, "cannot open \(what) \(shown): \(String(cString: strerror(code)))")
        }
    }

    private static func failure(_ what: String, _ relative: String) -> ReadError {
        failure(errno, what, relative)
    }
}
