import Histogram
import SluiceCore
import Synchronization

/// Latency per stage (slot wait, read, parse and validate, queue wait, commit, and whole files),
/// kept in HdrHistograms from the engine's events so a run's p50/p95/p99 cost a few KB
/// whatever its length.
public final class StageLatencies: EngineObserver {
    private struct State {
        var runID: Int64?
        /// Microseconds, up to an hour, to three significant digits.
        var histograms: [String: Histogram<UInt64>] = [:]

        mutating func record(_ stage: String, seconds: Double) {
            let micros = UInt64(max(0, min(seconds, 3_600)) * 1_000_000)
            _ = histograms[stage, default: Histogram(highestTrackableValue: 3_600_000_000)].record(micros)
        }
    }
    private let state = Mutex(State())

    public init() {}

    /// The run the latencies belong to, once it has begun.
    public var runID: Int64? { state.withLock { $0.runID } }

    public func observe(_ event: EngineEvent) {
        switch event {
        case .runStarted(let runID, _):
            state.withLock { $0.runID = runID }
        case .slotGranted(_, _, let wait):
            state.withLock { $0.record("slot_wait", seconds: wait) }
        case .fileRead(let read):
            state.withLock { $0.record("file", seconds: read.seconds) }
        case .batchCommitted(let files, let seconds, _, _):
            state.withLock { state in
                state.record("commit", seconds: seconds)
                for file in files {
                    state.record("read", seconds: file.stages.read)
                    state.record("parse_validate", seconds: file.stages.parseValidate)
                    state.record("queue_wait", seconds: file.stages.queueWait)
                }
            }
        default:
            break
        }
    }

    /// p50, p95, p99 and the maximum of every stage that saw anything, in seconds.
    public func summary() -> [StageLatency] {
        state.withLock { state in
            StageLatency.stages.compactMap { stage in
                guard let histogram = state.histograms[stage], histogram.totalCount > 0 else { return nil }
                let seconds = { (micros: UInt64) in Double(micros) / 1_000_000 }
                return StageLatency(stage: stage, count: Int(histogram.totalCount),
                                    p50: seconds(histogram.valueAtPercentile(50)), p95: seconds(histogram.valueAtPercentile(95)),
                                    p99: seconds(histogram.valueAtPercentile(99)), max: seconds(histogram.max))
            }
        }
    }
}
