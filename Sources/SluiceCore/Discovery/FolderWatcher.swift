import Glibc

/// Tells a poller that something changed in a supplier's folders, so it lists them before its
/// next poll is due. Linux inotify through Glibc; it only ever makes a poll come sooner, so a
/// missed event (a full queue, a folder created between listing and watching) costs at most
/// one poll interval. Not shared: one supplier's poll loop owns it.
public final class FolderWatcher {
    private let descriptor: Int32
    private var watched: [String: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)

    /// Nil when inotify cannot be had (no support, or the per-user limit of instances reached).
    public init?() {
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
    }

    deinit { close(descriptor) }

    /// Watches every folder of `paths` not watched yet; folders gone from it are dropped.
    public func watch(_ paths: [String]) {
        let wanted = Set(paths)
        for (path, handle) in watched where !wanted.contains(path) {
            inotify_rm_watch(descriptor, handle)
            watched[path] = nil
        }
        // What can make a file ready: it appears, is renamed in, is closed after writing, or has
        // its times set. Files leaving (the stream's own archive moves among them) and each
        // write of a file still being written need no early poll.
        let events = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB
        for path in paths where watched[path] == nil {
            let handle = inotify_add_watch(descriptor, path, UInt32(events))
            if handle >= 0 { watched[path] = handle }
        }
    }

    /// Whether events arrived since the last call (a queue overflow counts); drains them.
    public func changed() -> Bool {
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return any }
            any = true
        }
    }
}
