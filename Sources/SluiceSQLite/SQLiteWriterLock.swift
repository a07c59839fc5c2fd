import Foundation
import SluiceCore
import Synchronization

/// SQLite's one-writer rule: an exclusive `flock` on `<database>-lock`, held for the whole run.
///
/// The kernel drops the lock when the holder's process ends, even by SIGKILL, so it is never
/// left behind. The file itself stays (removing it would let two runs lock two different
/// files under one name); it names the holder for the run that finds it taken. Locks on a
/// network filesystem are only as good as that filesystem's `flock`.
public final class SQLiteWriterLock: WriterLock {
    public let store: String
    /// The lock file beside the database.
    public let path: String
    /// The open lock file while the lock is held.
    private let descriptor = Mutex<Int32?>(nil)

    /// A database reached through a link is locked beside the file it leads to, so that every
    /// name for one store shares one lock.
    public init(databasePath: String) {
        store = databasePath
        let resolved = realpath(databasePath, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        }
        path = (resolved ?? databasePath) + "-lock"
    }

    deinit { release() }

    public func tryAcquire(as holder: StoreHolder) throws -> LockAttempt {
        try descriptor.withLock { held in
            if held != nil { return .acquired }
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            // Never through a link, and never anything but a regular file: the lock file is
            // truncated and written, which must not reach another file or block on a FIFO.
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0o644)
            guard fd >= 0 else {
                let reason = errno == ELOOP ? "it is a symbolic link, which is not followed" : String(cString: strerror(errno))
                throw StoreError("cannot open the lock file \(path): \(reason)")
            }
            var status = stat()
            guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw StoreError("cannot use the lock file \(path): it is not a regular file")
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                let text = Array(holder.text.utf8)
                _ = ftruncate(fd, 0)
                _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                held = fd
                return .acquired
            }
            let failure = errno
            defer { close(fd) }
            guard failure == EWOULDBLOCK else {
                throw StoreError("cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            return .held(by: Self.readHolder(fd))
        }
    }

    public func release() {
        descriptor.withLock { held in
            guard let fd = held else { return }
            // The next holder writes its own name; an empty file says nobody holds it.
            _ = ftruncate(fd, 0)
            close(fd)
            held = nil
        }
    }

    /// The holder's name from the lock file. A holder that has just taken the lock may not have
    /// written it yet, so an incomplete name is read again a few times.
    private static func readHolder(_ fd: Int32) -> StoreHolder? {
        for attempt in 0..<5 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if count > 0, let holder = StoreHolder(text: String(decoding: buffer[..<count], as: UTF8.self)) { return holder }
            if attempt < 4 { usleep(10_000) }
        }
        return nil
    }
}
