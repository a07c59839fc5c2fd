import Dispatch

/// One serial queue for a blocking client's calls (SQLite, libpq): a call waiting on fsync or
/// the network never holds a thread of the cooperative pool, and calls on the client's one
/// connection take turns in the order they were made.
public final class OffPool: Sendable {
    private let queue: DispatchQueue

    public init(label: String) { queue = DispatchQueue(label: label) }

    /// Waits for every call made so far. An owner calls it as it goes, so that a call's block
    /// on the queue never holds the client's last reference and closes it a moment later.
    public func drain() { queue.sync {} }

    /// Queues `body` without waiting for it: calls made after this one run after it.
    public func submit(_ body: @escaping @Sendable () -> Void) { queue.async(execute: body) }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
