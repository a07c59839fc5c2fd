/// Spaces one supplier's requests by its rate: listing pages, downloads and retries alike, so a
/// throttled endpoint is paced instead of provoked.
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

    init(rate: Double, burst: Int) {
        interval = .seconds(1.03 / rate)
        self.burst = max(1, burst)
    }

    /// Waits until a request may go, and counts it as gone.
    func take() async throws {
        while true {
            let now = ContinuousClock.now
            let next = max(due ?? now, now)
            let allowedAt = next - interval * (burst - 1)
            if allowedAt <= now {
                due = next + interval
                return
            }
            try await Task.sleep(until: allowedAt, clock: .continuous)
        }
    }
}
