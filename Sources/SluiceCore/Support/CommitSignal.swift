import Synchronization

/// A one-shot signal the loader fires once a batch is committed (or the commit failed).
final class CommitSignal: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Void, any Error>?)
        case done((any Error)?)
    }
    private let state = Mutex(State.waiting(nil))

    func succeed() { complete(nil) }
    func fail(_ error: any Error) { complete(error) }

    private func complete(_ error: (any Error)?) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard case .waiting(let waiter) = state else { return nil }
            state = .done(error)
            return waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume() }
    }

    /// Waits for the commit.
    /// - Throws: the loader's error when the commit failed.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, any Error>? = state.withLock { state in
                switch state {
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                case .done(let error):
                    return error.map { .failure($0) } ?? .success(())
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
