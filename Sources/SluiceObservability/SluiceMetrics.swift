import CoreMetrics
import SluiceCore
import Synchronization

/// Sluice's metrics, kept from the engine's events through swift-metrics. Names follow
/// Prometheus: base units, `_total` on counters, `_seconds` on durations; labels are bounded
/// (pipeline, supplier, stage, outcome, kind), never a file name.
public final class SluiceMetrics: EngineObserver {
    /// Every metric's help text, as `/metrics` prints it.
    public static let help: [String: String] = [
        "sluice_files_total": "Files whose attempt ended, by outcome (done, empty, quarantined, damaged, failed, rolled_back).",
        "sluice_rows_total": "Committed rows by outcome: loaded, quarantined, filtered; read is their sum.",
        "sluice_bytes_read_total": "Bytes of CSV text the committed rows were read from (after gunzip).",
        "sluice_errors_total": "Failures by stage (discover, read, validate, settle) and kind.",
        "sluice_retries_total": "File attempts that failed for a passing reason and were queued again.",
        "sluice_slots_in_use": "Files of the supplier being read now.",
        "sluice_slots_cap": "Files of the supplier that may be read at once.",
        "sluice_breaker_open": "1 while the supplier's circuit breaker pauses it.",
        "sluice_queue_rows": "Rows waiting for the loader after its last commit.",
        "sluice_slot_wait_seconds": "Time from a file becoming eligible to getting its slot.",
        "sluice_file_duration_seconds": "Time a file held its slot, per attempt.",
        "sluice_commit_duration_seconds": "Time of one loader transaction.",
        "sluice_last_commit_timestamp_seconds": "Unix time of the last commit.",
        "sluice_build_info": "Always 1; the labels name the version.",
    ]

    private let pipeline: String
    private let factory: any MetricsFactory
    /// Slots in use per supplier: a gauge is set, so the count is kept here.
    private let inUse = Mutex<[String: Int]>([:])

    /// - Parameter factory: the backend; the executable bootstraps one, tests pass their own.
    public init(pipeline: String, version: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.pipeline = pipeline
        self.factory = factory
        Gauge(label: "sluice_build_info", dimensions: [("pipeline", pipeline), ("version", version)], factory: factory).record(1)
        Gauge(label: "sluice_queue_rows", dimensions: [("pipeline", pipeline)], factory: factory).record(0)
    }

    private func labels(_ supplier: String, _ more: (String, String)...) -> [(String, String)] {
        [("pipeline", pipeline), ("supplier", supplier)] + more
    }

    public func observe(_ event: EngineEvent) {
        switch event {
        case .runStarted(_, let suppliers):
            for supplier in suppliers { declare(supplier) }
        case .supplierJoined(let supplier):
            declare(supplier)
        case .filesQueued:
            break
        case .slotGranted(let supplier, _, let wait):
            Timer(label: "sluice_slot_wait_seconds", dimensions: [("pipeline", pipeline)], factory: factory)
                .recordNanoseconds(Int64(wait * 1e9))
            setInUse(supplier, by: 1)
        case .fileRead(let read):
            setInUse(read.supplier, by: -1)
            Timer(label: "sluice_file_duration_seconds", dimensions: [("pipeline", pipeline)], factory: factory)
                .recordNanoseconds(Int64(max(0, read.seconds) * 1e9))
        case .fileRetried(let supplier, _):
            Counter(label: "sluice_retries_total", dimensions: labels(supplier), factory: factory).increment()
        case .batchCommitted(let files, let seconds, let at, let queueRows):
            for file in files { committed(file) }
            Timer(label: "sluice_commit_duration_seconds", dimensions: [("pipeline", pipeline)], factory: factory)
                .recordNanoseconds(Int64(seconds * 1e9))
            Gauge(label: "sluice_last_commit_timestamp_seconds", dimensions: [("pipeline", pipeline)], factory: factory).record(at)
            Gauge(label: "sluice_queue_rows", dimensions: [("pipeline", pipeline)], factory: factory).record(queueRows)
        case .breakerOpened(let supplier, _):
            Gauge(label: "sluice_breaker_open", dimensions: labels(supplier), factory: factory).record(1)
        case .breakerClosed(let supplier):
            Gauge(label: "sluice_breaker_open", dimensions: labels(supplier), factory: factory).record(0)
        case .error(let supplier, let stage, let kind):
            Counter(label: "sluice_errors_total", dimensions: labels(supplier, ("stage", stage), ("kind", kind)),
                    factory: factory).increment()
        case .pollCycle:
            break
        }
    }

    /// Gives a supplier's series their first values, so they exist before anything happens.
    private func declare(_ supplier: SupplierCap) {
        Gauge(label: "sluice_slots_cap", dimensions: labels(supplier.supplier), factory: factory).record(supplier.cap)
        Gauge(label: "sluice_slots_in_use", dimensions: labels(supplier.supplier), factory: factory).record(0)
        Gauge(label: "sluice_breaker_open", dimensions: labels(supplier.supplier), factory: factory).record(0)
        Counter(label: "sluice_bytes_read_total", dimensions: labels(supplier.supplier), factory: factory).increment(by: 0)
        for outcome in ["loaded", "quarantined", "filtered"] {
            Counter(label: "sluice_rows_total", dimensions: labels(supplier.supplier, ("outcome", outcome)), factory: factory)
                .increment(by: 0)
        }
    }

    private func committed(_ file: CommittedFile) {
        let rows = [("loaded", file.rows.loaded), ("quarantined", file.rows.quarantined), ("filtered", file.rows.filtered)]
        for (outcome, count) in rows where count > 0 {
            Counter(label: "sluice_rows_total", dimensions: labels(file.supplier, ("outcome", outcome)), factory: factory)
                .increment(by: count)
        }
        if file.bytes > 0 {
            Counter(label: "sluice_bytes_read_total", dimensions: labels(file.supplier), factory: factory)
                .increment(by: Int(file.bytes))
        }
        if let outcome = file.outcome {
            Counter(label: "sluice_files_total", dimensions: labels(file.supplier, ("outcome", outcome)), factory: factory)
                .increment()
        }
    }

    private func setInUse(_ supplier: String, by change: Int) {
        let count = inUse.withLock { counts in
            counts[supplier, default: 0] += change
            return counts[supplier, default: 0]
        }
        Gauge(label: "sluice_slots_in_use", dimensions: labels(supplier), factory: factory).record(count)
    }
}
