import Foundation
import SluiceCore
import Synchronization

/// Prints a progress line to standard error at most once per interval, from committed batches.
final class ProgressMeter: Sendable {
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

    func record(_ batches: [LoadBatch]) {
        let line: String? = state.withLock { state in
            for batch in batches {
                state.rows += batch.progress.rowsLoaded
                state.quarantined += batch.progress.rowsQuarantined
                if batch.progress.completion != nil { state.files += 1 }
            }
            let now = ContinuousClock.now
            guard now - state.lastPrint >= interval else { return nil }
            state.lastPrint = now
            let elapsed = (now - start).inSeconds
            return String(format: "progress: %d files finished, %d rows loaded, %d quarantined, %.0f rows/s, %.0fs elapsed",
                          state.files, state.rows, state.quarantined, Double(state.rows) / max(elapsed, 0.001), elapsed)
        }
        if let line { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
