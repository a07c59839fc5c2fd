import Synchronization

/// A request to stop a run cleanly: no new file starts, and files in flight commit what they
/// have read at the next row and return, leaving their checkpoint where a resume picks up.
public final class StopRequest: Sendable {
    private let requested = Atomic<Int32>(0)

    public init() {}

    /// Asks the run to stop; `signal` (e.g. SIGTERM) is kept for the exit code, and names the
    /// signal behind a `requestShutdown` that came first.
    public func request(signal: Int32 = 15) {
        if requested.compareExchange(expected: 0, desired: signal, ordering: .relaxed).exchanged { return }
        _ = requested.compareExchange(expected: Self.shutdown, desired: signal, ordering: .relaxed)
    }

    /// Asks the run to stop for a graceful shutdown that names no signal.
    public func requestShutdown() {
        _ = requested.compareExchange(expected: 0, desired: Self.shutdown, ordering: .relaxed)
    }

    public var isRequested: Bool { requested.load(ordering: .relaxed) != 0 }

    /// The signal that asked, or nil.
    public var signal: Int32? {
        let value = requested.load(ordering: .relaxed)
        return value <= 0 ? nil : value
    }

    private static let shutdown: Int32 = -1
}
