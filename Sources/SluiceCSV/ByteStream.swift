import Foundation
import SluiceCore

/// A source of bytes read in chunks: a plain file, a download, or an inflating gzip stream.
public protocol ByteStream: AnyObject {
    /// Fills `buffer` from the start; returns the byte count, 0 at the end.
    /// - Throws: `ReadError` on I/O failure or corrupt compressed data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Skips forward so the next read starts at inflated offset `offset` (counted from the file start).
    /// - Throws: `ReadError` when the stream ends first.
    func skip(to offset: Int64) throws
    func close()
    /// The download underneath, when the bytes arrive over a network; nil for local bytes.
    var arriving: (any ArrivingBytes)? { get }
}

extension ByteStream {
    public var arriving: (any ArrivingBytes)? { nil }
}

/// Bytes that arrive over time (a download). `read` blocks only when none are buffered; a
/// reader waits here first, so that a thread of the cooperative pool is not held by the network.
public protocol ArrivingBytes: AnyObject, Sendable {
    /// Returns once at least `count` bytes are buffered, or the body has ended or failed.
    func waitForBytes(_ count: Int) async
}

/// Unbuffered reads from a file descriptor.
final class FileByteStream: ByteStream {
    private var descriptor: Int32
    let path: String

    /// Reads from an open descriptor, which the stream now owns.
    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// The file's size and modification time now, through the descriptor.
    var snapshot: FileSnapshot? {
        var status = stat()
        return fstat(descriptor, &status) == 0 ? FileSnapshot(status) : nil
    }

    /// - Throws: `ReadError(.notFound)` or `ReadError(.permission)`.
    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let kind: ReadError.Kind = code == ENOENT ? .notFound : (code == EACCES || code == EPERM) ? .permission : .io
            throw ReadError(kind, "cannot open: \(String(cString: strerror(code)))")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            close()
            throw ReadError(.io, "is a directory, not a file")
        }
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ReadError(.io, "read failed: \(String(cString: strerror(errno)))")
        }
    }

    func skip(to offset: Int64) throws {
        guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw ReadError(.io, "cannot seek to byte \(offset): \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }
}
