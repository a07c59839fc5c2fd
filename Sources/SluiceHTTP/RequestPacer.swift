import Synchronization

/// Spaces one supplier's requests by its rate: listing pages, downloads and retries alike, so a
/// throttled endpoint is paced instead of provoked. A `Retry-After` the endpoint sends holds
/// every request of the supplier back, not only the one it answered.
///
/// The schedule is the generic cell rate algorithm: each request is due one interval after the
/// previous one was due or went out, whichever is later, and up to `burst` may go early after a
/// quiet spell. "Went out" is when the request's head was written, not when it was allowed: a
/// request held up by a new connection or a busy event loop pushes the next one back, instead of
/// arriving close behind it. The interval is 3% longer than the rate's, for the jitter between
/// writing a request and the server counting it.
final class RequestPacer: Sendable {
    private struct Schedule {
        /// When the next request is due.
        var due: ContinuousClock.Instant?
        /// No request goes before this (the endpoint asked to wait).
        var heldUntil: ContinuousClock.Instant?
    }

    private let interval: Duration
    private let burst: Int
    private let schedule = Mutex(Schedule())

    /// `rate` nil: requests are not spaced, only held back when the endpoint asks.
    init(rate: Double?, burst: Int) {
        interval = rate.map { .seconds(1.03 / $0) } ?? .zero
        self.burst = max(1, burst)
    }

    /// Waits until a request may go, and counts it as gone.
    func take() async throws {
        while let wait = admit(now: .now) {
            try await Task.sleep(until: wait, clock: .continuous)
        }
    }

    /// Counts a request as gone at `now` if it may go then; otherwise says when it may.
    func admit(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        schedule.withLock { schedule in
            let next = max(schedule.due ?? now, now)
            var allowedAt = next - interval * (burst - 1)
            if let heldUntil = schedule.heldUntil, heldUntil > allowedAt { allowedAt = heldUntil }
            guard allowedAt > now else {
                schedule.due = next + interval
                return nil
            }
            return allowedAt
        }
    }

    /// A request taken earlier had its head written at `instant`: the next is due an interval later.
    func wentOut(at instant: ContinuousClock.Instant) {
        schedule.withLock { schedule in
            let due = instant + interval
            schedule.due = max(schedule.due ?? due, due)
        }
    }

    /// Holds every request back for `wait` from now (the endpoint's `Retry-After`).
    func holdOff(_ wait: Duration) {
        let until = ContinuousClock.now + wait
        schedule.withLock { $0.heldUntil = max($0.heldUntil ?? until, until) }
    }
}
