import Dispatch
import Glibc

/// Tells a poller that something changed in a supplier's folders, so it lists them before its
/// next poll is due. Linux inotify through Glibc, its descriptor read by a dispatch source when
/// events arrive (no thread polls it); it only ever makes a poll come sooner, so a missed event
/// (a full queue, a folder created between listing and watching) costs at most one poll
/// interval. Not shared: one supplier's poll loop owns it.
public final class FolderWatcher: @unchecked Sendable {
    private let descriptor: Int32
    private var watched: [String: Int32] = [:]
    private let source: any DispatchSourceRead

    /// Nil when inotify cannot be had (no support, or the per-user limit of instances reached).
    /// - Parameter changed: called on a dispatch queue whenever events (or an overflow) arrive.
    init?(changed: @escaping @Sendable () -> Void) {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: .global())
        source.setEventHandler {
            // Drain what arrived; its content does not matter, only that something did.
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
            changed()
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
    }

    deinit { source.cancel() }

    /// Watches every folder of `paths` not watched yet; folders gone from it are dropped.
    /// Called from the owning loop only.
    public func watch(_ paths: [String]) {
        let wanted = Set(paths)
        for (path, handle) in watched where !wanted.contains(path) {
            inotify_rm_watch(descriptor, handle)
            watched[path] = nil
        }
        // What can make a file ready: it appears, is renamed in, is closed after writing, or has
        // its times set. Files leaving (the stream's own archive moves among them) and each
        // write of a file still being written need no early poll.
        // A folder swapped for a link is not watched through it.
        let events = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DONT_FOLLOW | IN_ONLYDIR
        for path in paths where watched[path] == nil {
            let handle = inotify_add_watch(descriptor, path, UInt32(events))
            if handle >= 0 { watched[path] = handle }
        }
    }
}
