import Testing
@testable import SluiceHTTP

/// The download rate floor, judged at chosen instants: no test here sleeps.
@Suite struct RateFloorTests {
    let start = ContinuousClock.now

    /// The judgement at the end of each window in turn, `start` plus each of `seconds`.
    func judged(_ floor: inout RateFloor, at seconds: [Int], holding: [Bool]? = nil) -> [Bool] {
        seconds.enumerated().map { index, second in
            floor.isTooSlow(at: start + .seconds(second), holding: holding?[index] ?? false)
        }
    }

    @Test func aTrickleIsTooSlowAtTheEndOfItsWindow() {
        var floor = RateFloor(bytesPerSecond: 1024, window: .seconds(30), now: start)
        floor.arrived(20 * 30)
        #expect(judged(&floor, at: [30]) == [true])
    }

    @Test func eachWindowIsJudgedOnItsOwnBytes() {
        var floor = RateFloor(bytesPerSecond: 1024, window: .seconds(30), now: start)
        floor.arrived(1024 * 30)
        #expect(judged(&floor, at: [30]) == [false])
        floor.arrived(100)
        #expect(judged(&floor, at: [60]) == [true])
    }

    @Test func aHeadThatNeverComesIsTooSlow() {
        var floor = RateFloor(bytesPerSecond: 1024, window: .seconds(30), now: start)
        floor.restart(at: start + .seconds(5))
        #expect(judged(&floor, at: [35]) == [true])
    }

    @Test func aWindowInWhichTheReaderHeldTheBodyBackIsNotJudged() {
        var floor = RateFloor(bytesPerSecond: 1024, window: .seconds(30), now: start)
        floor.holdBack()
        // Held back during the first; still at the end of the second, so at the start of the third.
        #expect(judged(&floor, at: [30, 60, 90, 120], holding: [false, true, false, false]) == [false, false, false, true])
    }

    @Test func aWindowCutShortIsNotJudgedYet() {
        var floor = RateFloor(bytesPerSecond: 1024, window: .seconds(30), now: start)
        #expect(judged(&floor, at: [1]) == [false])
    }

    @Test func zeroTurnsTheFloorOff() {
        var floor = RateFloor(bytesPerSecond: 0, window: .seconds(30), now: start)
        #expect(judged(&floor, at: [300]) == [false])
    }
}
