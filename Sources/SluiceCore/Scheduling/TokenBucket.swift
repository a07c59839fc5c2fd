/// A token bucket: `rate` tokens a second, at most `burst` saved up. One token per start.
public struct TokenBucket: Sendable, Equatable {
    public typealias Instant = ContinuousClock.Instant

    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var refilledAt: Instant?

    public init(rate: Double, burst: Int) {
        precondition(rate > 0 && burst >= 1)
        self.rate = rate
        self.burst = Double(burst)
        tokens = Double(burst)
    }

    /// When a token is (or was) available, given the time now.
    public mutating func availableAt(now: Instant) -> Instant {
        refill(now: now)
        if tokens >= 1 { return now }
        return now + .milliseconds(Int64(((1 - tokens) / rate * 1000).rounded(.up)))
    }

    /// Takes a token; call only when `availableAt(now:) <= now`.
    public mutating func take(now: Instant) {
        refill(now: now)
        tokens -= 1
    }

    private mutating func refill(now: Instant) {
        if let refilledAt {
            tokens = min(burst, tokens + (now - refilledAt).inSeconds * rate)
        }
        refilledAt = now
    }
}
