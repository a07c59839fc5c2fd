import Foundation

/// Wall-clock timestamps derived from the monotonic clock, so recorded start and finish times
/// of one run are ordered exactly as the scheduler saw them, whatever the system clock does.
public struct RunClock: Sendable {
    private let wallStart: Double
    private let monotonicStart: ContinuousClock.Instant

    public init() {
        wallStart = Date().timeIntervalSince1970
        monotonicStart = .now
    }

    /// Unix seconds for a monotonic instant of this run.
    public func timestamp(_ instant: ContinuousClock.Instant = .now) -> Double {
        wallStart + (instant - monotonicStart).inSeconds
    }
}
