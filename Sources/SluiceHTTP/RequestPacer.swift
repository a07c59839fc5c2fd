/// Spaces one supplier's requests by its rate: listing pages, downloads and retries alike, so a
/// throttled endpoint is paced instead of provoked. A `Retry-After` the endpoint sends holds
/// every request of the supplier back, not only the one it answered.
///
/// The schedule is the generic cell rate algorithm: each request is due one interval after the
/// previous one was due or sent, whichever is later, and up to `burst` may go early after a
/// quiet spell. A request sent late does not let the next one catch up; and the interval is 3%
/// longer than the rate's, so that up to 30 ms of network jitter (a new connection, a busy
/// event loop) cannot put one request too many into a server's one-second window.
actor RequestPacer {
    private let interval: Duration
    private let burst: Int
    /// When the next request is due.
    private var due: ContinuousClock.Instant?
    /// No request goes before this (the endpoint asked to wait).
    private var heldUntil: ContinuousClock.Instant?

    /// `rate` nil: requests are not spaced, only held back when the endpoint asks.
    init(rate: Double?, burst: Int) {
        interval = rate.map { .seconds(1.03 / $0) } ?? .zero
        self.burst = max(1, burst)
    }

    /// Waits until a request may go, and counts it as gone.
    func take() async throws {
        while true {
            let now = ContinuousClock.now
            let next = max(due ?? now, now)
            var allowedAt = next - interval * (burst - 1)
            if let heldUntil, heldUntil > allowedAt { allowedAt = heldUntil }
            if allowedAt <= now {
                due = next + interval
                return
            }
            try await Task.sleep(until: allowedAt, clock: .continuous)
        }
    }

    /// Holds every request back for `wait` from now (the endpoint's `Retry-After`).
    func holdOff(_ wait: Duration) {
        let until = ContinuousClock.now + wait
        heldUntil = max(heldUntil ?? until, until)
    }
}
