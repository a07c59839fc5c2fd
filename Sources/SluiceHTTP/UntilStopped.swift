import SluiceCore

/// Runs `body` until it returns or `stop` is requested, whichever comes first; the stop cancels
/// it (its waits and requests end) and throws `CancellationError`. The stop is looked at every
/// 50 ms, since a signal handler cannot cancel a task.
func untilStopped<T: Sendable>(_ stop: StopRequest, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            while !stop.isRequested { try await Task.sleep(for: .milliseconds(50)) }
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw CancellationError() }
        return value
    }
}
