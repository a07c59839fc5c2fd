import Foundation
import Synchronization

/// One JSON line per request: when it arrived (seconds since the server started), which
/// supplier, what was asked, and the answer.
final class RequestLog: Sendable {
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = Mutex(handle)
    }

    /// Seconds since the server started.
    struct Clock: Sendable {
        private let started = ContinuousClock.now

        var now: Double {
            let elapsed = ContinuousClock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }

    /// `length` is the body's length as announced; `cut` says it is stopped short on purpose.
    func record(at time: Double, supplier: String, path: String, range: String?, status: Int, length: Int64, cut: Bool = false) {
        let fields: [String: Any] = ["t": time, "supplier": supplier, "path": path, "range": range ?? NSNull(),
                                     "status": status, "length": length, "cut": cut]
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        handle.withLock { $0.write(line) }
    }
}
