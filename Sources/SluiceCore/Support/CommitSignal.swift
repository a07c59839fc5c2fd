import Synchronization

/// A one-shot signal the loader fires once a batch is committed (or the commit failed).
final class CommitSignal: Sendable {
    private enum State {
        /// Everyone waiting: the file's worker and its settle stage may both.
        case waiting([CheckedContinuation<Void, any Error>])
        case done((any Error)?)
    }
    private let state = Mutex(State.waiting([]))

    func succeed() { complete(nil) }
    func fail(_ error: any Error) { complete(error) }

    private func complete(_ error: (any Error)?) {
        let waiters: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(error)
            return waiters
        }
        for waiter in waiters {
            if let error { waiter.resume(throwing: error) } else { waiter.resume() }
        }
    }

    /// Waits for the commit.
    /// - Throws: the loader's error when the commit failed.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, any Error>? = state.withLock { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .done(let error):
                    return error.map { .failure($0) } ?? .success(())
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
