import Foundation
import SluiceCore
import Synchronization

/// The stream's progress line, printed to standard error every interval whether or not files
/// loaded meanwhile, so an idle stream still says it is alive and how far behind it is.
final class StreamProgress: Sendable {
    private struct State {
        var files = 0
        var rows = 0
        var quarantined = 0
        var queued = 0
        var waiting: [String: Int] = [:]
        var lastCommit: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    private let interval: Duration

    init(interval: Duration) { self.interval = interval }

    func committed(_ batches: [LoadBatch]) {
        state.withLock { state in
            for batch in batches {
                state.rows += batch.progress.rowsLoaded
                state.quarantined += batch.progress.rowsQuarantined
                if batch.progress.completion != nil { state.files += 1 }
            }
            state.lastCommit = .now
        }
    }

    func queued(_ files: Int) { state.withLock { $0.queued += files } }

    func polled(supplier: String, waiting: Int) { state.withLock { $0.waiting[supplier] = waiting } }

    /// Prints a line every interval until the task is cancelled.
    func run() async {
        while (try? await Task.sleep(for: interval)) != nil {
            FileHandle.standardError.write(Data((line() + "\n").utf8))
        }
    }

    func line(now: ContinuousClock.Instant = .now) -> String {
        state.withLock { state in
            let inQueue = max(0, state.queued - state.files)
            let waiting = state.waiting.values.reduce(0, +)
            let commit = state.lastCommit.map { String(format: "%.1fs ago", (now - $0).inSeconds) } ?? "none yet"
            return "stream: \(state.files) files loaded, \(state.rows) rows, \(state.quarantined) quarantined; "
                + "\(waiting) waiting to be complete, \(inQueue) queued or loading; last commit \(commit)"
        }
    }
}
