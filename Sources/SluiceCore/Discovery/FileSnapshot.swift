import Foundation

/// Size, modification time and type of a file right now, to notice it changing under a reader.
public struct FileSnapshot: Sendable {
    public var size: Int64
    public var modified: Double
    public var isRegularFile = true

    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    public init(_ status: stat) {
        size = Int64(status.st_size)
        modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
        isRegularFile = (status.st_mode & S_IFMT) == S_IFREG
    }

    public init(_ file: DiscoveredFile) {
        size = file.size
        modified = file.modified
    }
}

extension FileSnapshot: Equatable {
    /// The same content as far as a listing can tell: size and modification time.
    public static func == (lhs: FileSnapshot, rhs: FileSnapshot) -> Bool {
        lhs.size == rhs.size && lhs.modified == rhs.modified
    }
}
