import Foundation

/// Size and modification time of a file right now, to notice it changing under a reader.
struct FileSnapshot: Equatable {
    var size: Int64
    var modified: Double

    init?(_ url: URL) {
        var status = stat()
        guard stat(url.path, &status) == 0 else { return nil }
        size = Int64(status.st_size)
        modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
    }

    init(_ file: DiscoveredFile) {
        size = file.size
        modified = file.modified
    }
}
