/// How often and how soon a file that failed for a passing reason is tried again within a run.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per file per run, the first included.
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 3, initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Exponential backoff with full jitter: uniform in [0, min(max, initial * 2^(attempt-1))].
    /// A delay the source asked for (`Retry-After`) wins when it is longer.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, random: inout SplitMix64) -> Duration {
        let ceiling = min(maxDelay.inSeconds, initialDelay.inSeconds * Double(1 << min(attempt - 1, 30)))
        let jittered = Duration.milliseconds(Int64(random.unit() * ceiling * 1000))
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }
}

/// Pauses a supplier after repeated failures so its other files wait instead of burning retries.
public struct BreakerPolicy: Sendable, Equatable {
    /// Consecutive failed attempts that open the breaker.
    public var failures: Int
    public var coolDown: Duration

    public init(failures: Int = 5, coolDown: Duration = .seconds(30)) {
        self.failures = failures
        self.coolDown = coolDown
    }
}

/// A small deterministic generator (SplitMix64): jitter here, sample data and property tests
/// elsewhere, so a seed replays a case exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
