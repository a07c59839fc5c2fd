import Testing
@testable import SluiceCore

/// The poll loop's sleep: a signal wakes it, before or during the sleep, and a deadline ends it.
@Suite struct WakeupTests {
    @Test func aSignalSentWhileAwakeEndsTheNextSleepAtOnce() async {
        let wakeup = Wakeup()
        wakeup.signal()
        #expect(await wakeup.sleep(until: .now + .seconds(3600)))
        #expect(await wakeup.sleep(until: .now) == false, "the signal was taken by the first sleep")
    }

    @Test func aSignalDuringTheSleepWakesIt() async {
        let wakeup = Wakeup()
        async let woken = wakeup.sleep(until: .now + .seconds(3600))
        try? await Task.sleep(for: .milliseconds(20))
        wakeup.signal()
        #expect(await woken)
    }

    @Test func theDeadlineEndsASleepNobodySignals() async {
        let wakeup = Wakeup()
        for _ in 0..<200 { #expect(await wakeup.sleep(until: .now + .microseconds(50)) == false) }
        wakeup.signal()
        #expect(await wakeup.sleep(until: .now + .seconds(3600)), "sleeps that timed out leave no one parked")
    }
}
