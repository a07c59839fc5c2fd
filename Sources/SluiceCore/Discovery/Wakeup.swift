import Synchronization

/// Wakes one sleeping poll loop early: inotify saw a change, or a stop was requested.
/// A signal that comes while the loop is awake is kept for its next `sleep`.
final class Wakeup: Sendable {
    private struct State {
        var signalled = false
        var sleeper: CheckedContinuation<Void, Never>?
        /// The deadline came first: a sleeper that has not parked yet must not park.
        var abandoned = false
    }
    private let state = Mutex(State())

    func signal() {
        let sleeper: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.signalled = true
            defer { state.sleeper = nil }
            return state.sleeper
        }
        sleeper?.resume()
    }

    /// Sleeps until `deadline` or a signal, whichever comes first; returns whether it was a signal.
    func sleep(until deadline: ContinuousClock.Instant) async -> Bool {
        let woken = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForSignal()
                return true
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            if !first { abandon() }
            return first
        }
        return state.withLock { state in
            defer { state.signalled = false; state.abandoned = false }
            return state.signalled || woken
        }
    }

    private func waitForSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let park: Bool = state.withLock { state in
                guard !state.signalled, !state.abandoned else { return false }
                state.sleeper = continuation
                return true
            }
            if !park { continuation.resume() }
        }
    }

    private func abandon() {
        let sleeper: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.abandoned = true
            defer { state.sleeper = nil }
            return state.sleeper
        }
        sleeper?.resume()
    }
}

/// The wakeups of every poll loop, so one stop wakes them all.
final class Wakeups: Sendable {
    private let all = Mutex<[Wakeup]>([])

    func make() -> Wakeup {
        let wakeup = Wakeup()
        all.withLock { $0.append(wakeup) }
        return wakeup
    }

    func signalAll() {
        for wakeup in all.withLock({ $0 }) { wakeup.signal() }
    }
}
