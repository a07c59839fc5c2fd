import Foundation
import SluiceCore
import SluiceObservability
import Synchronization

/// The stream's progress line, printed to standard error every interval whether or not files
/// loaded meanwhile, so an idle stream still says it is alive and how far behind it is.
final class StreamProgress: EngineObserver {
    private struct State {
        /// Files loaded, and files that ended otherwise (quarantined, failed, rolled back).
        var loaded = 0
        var notLoaded = 0
        var rows = 0
        var quarantined = 0
        var queued = 0
        var waiting: [String: Int] = [:]
        var lastCommit: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    private let interval: Duration

    init(interval: Duration) { self.interval = interval }

    func observe(_ event: EngineEvent) {
        switch event {
        case .batchCommitted(let files, _, _, _):
            state.withLock { state in
                for file in files {
                    state.rows += file.rows.loaded
                    state.quarantined += file.rows.quarantined
                    switch file.outcome {
                    case nil: break
                    case "done"?, "empty"?: state.loaded += 1
                    default: state.notLoaded += 1
                    }
                }
                state.lastCommit = .now
            }
        case .filesQueued(_, let fileIDs):
            state.withLock { $0.queued += fileIDs.count }
        case .pollCycle(let supplier, let waiting):
            state.withLock { $0.waiting[supplier] = waiting }
        default:
            break
        }
    }

    /// Prints a line every interval until the task is cancelled.
    func run() async {
        while (try? await Task.sleep(for: interval)) != nil {
            Console.standardError.write(line: line())
        }
    }

    func line(now: ContinuousClock.Instant = .now) -> String {
        state.withLock { state in
            // A file retried after a failure ends twice: the count in flight is a floor.
            let inQueue = max(0, state.queued - state.loaded - state.notLoaded)
            let waiting = state.waiting.values.reduce(0, +)
            let commit = state.lastCommit.map { String(format: "%.1fs ago", (now - $0).inSeconds) } ?? "none yet"
            return "stream: \(state.loaded) files loaded, \(state.notLoaded) not, \(state.rows) rows, \(state.quarantined) rows quarantined; "
                + "\(waiting) waiting to be complete, \(inQueue) queued or loading; last commit \(commit)"
        }
    }
}
