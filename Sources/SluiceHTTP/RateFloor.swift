import SluiceCore

/// The least rate a download's bytes must arrive at (`min_bytes_per_second`), so that a server
/// that trickles them cannot hold a slot, and the run, forever. It is judged once per window
/// over the bytes that arrived in it; a window in which the reader held the body back (its
/// buffer full) is not judged, since that wait was ours.
struct RateFloor {
    let bytesPerSecond: Int
    let window: Duration
    private var started: ContinuousClock.Instant
    private var bytes: Int64 = 0
    private var heldBack = false

    init(bytesPerSecond: Int, window: Duration, now: ContinuousClock.Instant) {
        self.bytesPerSecond = bytesPerSecond
        self.window = window
        started = now
    }

    /// A request starts: the first window runs from its start, so a head that never comes is
    /// judged too.
    mutating func restart(at now: ContinuousClock.Instant) {
        started = now
        bytes = 0
        heldBack = false
    }

    mutating func arrived(_ count: Int) { bytes += Int64(count) }

    /// The reader has the body wait: this window is not the server's doing.
    mutating func holdBack() { heldBack = true }

    /// At the end of a window: whether too few bytes arrived in it. The next window starts
    /// `now`, held back when `holding` (the body still waits for the reader).
    mutating func isTooSlow(at now: ContinuousClock.Instant, holding: Bool) -> Bool {
        let elapsed = now - started
        // A timer may fire a little early; a window much shorter than asked is not judged yet.
        guard bytesPerSecond > 0, elapsed >= window / 2 else { return false }
        let slow = !heldBack && !holding && Double(bytes) < Double(bytesPerSecond) * elapsed.inSeconds
        started = now
        bytes = 0
        heldBack = holding
        return slow
    }
}
