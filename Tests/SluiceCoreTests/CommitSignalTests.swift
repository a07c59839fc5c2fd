import Foundation
import Testing
@testable import SluiceCore

private struct CommitFailed: Error, Equatable {}

@Suite struct CommitSignalTests {
    @Test func waitAfterSuccessReturnsAtOnce() async throws {
        let signal = CommitSignal()
        signal.succeed()
        try await signal.wait()
    }

    @Test func waitAfterFailureThrowsTheError() async {
        let signal = CommitSignal()
        signal.fail(CommitFailed())
        await #expect(throws: CommitFailed()) { try await signal.wait() }
    }

    @Test func waiterIsWokenBySuccess() async throws {
        let signal = CommitSignal()
        async let waited: Void = signal.wait()
        signal.succeed()
        try await waited
    }

    @Test func waiterIsWokenByFailure() async {
        let signal = CommitSignal()
        let waiter = Task { try await signal.wait() }
        signal.fail(CommitFailed())
        await #expect(throws: CommitFailed()) { try await waiter.value }
    }

    @Test func onlyTheFirstOutcomeCounts() async throws {
        let signal = CommitSignal()
        signal.succeed()
        signal.fail(CommitFailed())
        try await signal.wait()

        let failed = CommitSignal()
        failed.fail(CommitFailed())
        failed.succeed()
        await #expect(throws: CommitFailed()) { try await failed.wait() }
    }

    @Test(arguments: [(Duration.zero, 0.0), (.milliseconds(1500), 1.5), (.seconds(120), 120.0), (.microseconds(250), 0.00025)])
    func durationInSeconds(duration: Duration, seconds: Double) {
        #expect(abs(duration.inSeconds - seconds) < 1e-12)
    }
}
