import Testing
@testable import SluiceHTTP

/// The pacer's schedule, read at chosen instants: no test here sleeps or times anything.
@Suite struct RequestPacerTests {
    let start = ContinuousClock.now
    /// 3 requests a second, spaced 3% wider.
    let interval = Duration.seconds(1.03 / 3)

    @Test func requestsAreSpacedOneIntervalApart() {
        let pacer = RequestPacer(rate: 3, burst: 1)
        #expect(pacer.admit(now: start) == nil)
        #expect(pacer.admit(now: start) == start + interval)
        #expect(pacer.admit(now: start + interval) == nil)
        #expect(pacer.admit(now: start + interval) == start + interval * 2)
    }

    @Test func aRequestWrittenLatePushesTheNextBackFromWhenItWentOut() {
        let pacer = RequestPacer(rate: 3, burst: 1)
        #expect(pacer.admit(now: start) == nil)
        // Allowed at `start`, but its connection took 80 ms to open.
        pacer.wentOut(at: start + .milliseconds(80))
        #expect(pacer.admit(now: start + interval) == start + .milliseconds(80) + interval)
        // One written on time moves nothing.
        #expect(pacer.admit(now: start + .milliseconds(80) + interval) == nil)
        pacer.wentOut(at: start + .milliseconds(80) + interval)
        #expect(pacer.admit(now: start + .milliseconds(80) + interval) == start + .milliseconds(80) + interval * 2)
    }

    @Test func aBurstMayGoAtOnceAfterAQuietSpell() {
        let pacer = RequestPacer(rate: 3, burst: 3)
        for _ in 0..<3 { #expect(pacer.admit(now: start) == nil) }
        #expect(pacer.admit(now: start) == start + interval)
    }

    @Test func retryAfterHoldsEveryRequestBack() {
        let pacer = RequestPacer(rate: nil, burst: 1)
        #expect(pacer.admit(now: start) == nil)
        #expect(pacer.admit(now: start) == nil, "no rate: nothing is spaced")
        pacer.holdOff(.seconds(2))
        let held = pacer.admit(now: .now)
        #expect(held != nil && held! >= start + .seconds(2))
    }
}
