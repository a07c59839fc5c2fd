import Foundation
import SluiceCore
import SluiceObservability
import Synchronization

/// Prints a progress line to standard error at most once per interval, from the commits it observes.
final class ProgressMeter: EngineObserver {
    private struct State {
        var files = 0
        var rows = 0
        var quarantined = 0
        var lastPrint = ContinuousClock.now
    }
    private let state = Mutex(State())
    private let interval: Duration
    private let start = ContinuousClock.now

    init(interval: Duration) { self.interval = interval }

    func observe(_ event: EngineEvent) {
        guard case .batchCommitted(let files, _, _, _) = event else { return }
        let line: String? = state.withLock { state in
            for file in files {
                state.rows += file.rows.loaded
                state.quarantined += file.rows.quarantined
                if file.outcome != nil { state.files += 1 }
            }
            let now = ContinuousClock.now
            guard now - state.lastPrint >= interval else { return nil }
            state.lastPrint = now
            let elapsed = (now - start).inSeconds
            return String(format: "progress: %d files finished, %d rows loaded, %d quarantined, %.0f rows/s, %.0fs elapsed",
                          state.files, state.rows, state.quarantined, Double(state.rows) / max(elapsed, 0.001), elapsed)
        }
        if let line { Console.standardError.write(line: line) }
    }
}
