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
        "sluice_endpoint_requests_total": "Requests to an endpoint supplier by its answer's status code (none: no answer came).",
        "sluice_build_info": "Always 1; the labels name the version.",
    ]

    private let pipeline: String
    private let factory: any MetricsFactory
    private let slotWait: Timer
    private let fileDuration: Timer
    private let commitDuration: Timer
    private let lastCommit: Gauge
    private let queueRows: Gauge
    /// Each supplier's series, made once: looking a metric up in the registry on every event
    /// costs more than the event.
    private let series = Mutex<[String: SupplierSeries]>([:])

    /// One supplier's metrics, and its slots in use (a gauge is set, so the count is kept here).
    private struct SupplierSeries {
        let rows: [String: Counter]
        let bytes: Counter
        let retries: Counter
        let slotsInUse: Gauge
        let slotsCap: Gauge
        let breakerOpen: Gauge
        var files: [String: Counter] = [:]
        var inUse = 0
    }

    /// - Parameter factory: the backend; the executable bootstraps one, tests pass their own.
    public init(pipeline: String, version: String, factory: any MetricsFactory = MetricsSystem.factory) {
        self.pipeline = pipeline
        self.factory = factory
        let labels = [("pipeline", pipeline)]
        slotWait = Timer(label: "sluice_slot_wait_seconds", dimensions: labels, factory: factory)
        fileDuration = Timer(label: "sluice_file_duration_seconds", dimensions: labels, factory: factory)
        commitDuration = Timer(label: "sluice_commit_duration_seconds", dimensions: labels, factory: factory)
        lastCommit = Gauge(label: "sluice_last_commit_timestamp_seconds", dimensions: labels, factory: factory)
        queueRows = Gauge(label: "sluice_queue_rows", dimensions: labels, factory: factory)
        queueRows.record(0)
        Gauge(label: "sluice_build_info", dimensions: labels + [("version", version)], factory: factory).record(1)
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
        case .slotGranted(let supplier, _, let wait):
            slotWait.recordNanoseconds(Int64(wait * 1e9))
            update(supplier) { series in
                series.inUse += 1
                series.slotsInUse.record(series.inUse)
            }
        case .fileRead(let read):
            update(read.supplier) { series in
                series.inUse -= 1
                series.slotsInUse.record(series.inUse)
            }
            fileDuration.recordNanoseconds(Int64(max(0, read.seconds) * 1e9))
        case .fileRetried(let supplier, _):
            update(supplier) { $0.retries.increment() }
        case .batchCommitted(let files, let seconds, let at, let rows):
            for file in files { committed(file) }
            commitDuration.recordNanoseconds(Int64(seconds * 1e9))
            lastCommit.record(at)
            queueRows.record(rows)
        case .breakerOpened(let supplier, _):
            update(supplier) { $0.breakerOpen.record(1) }
        case .breakerClosed(let supplier):
            update(supplier) { $0.breakerOpen.record(0) }
        case .error(let supplier, let stage, let kind):
            Counter(label: "sluice_errors_total", dimensions: labels(supplier, ("stage", stage), ("kind", kind)),
                    factory: factory).increment()
        case .endpointAnswered(let supplier, let status):
            Counter(label: "sluice_endpoint_requests_total",
                    dimensions: labels(supplier, ("status", status.map(String.init) ?? "none")), factory: factory).increment()
        case .headerDrift(let supplier, _, _, let policy):
            Counter(label: "sluice_header_drift_files_total", dimensions: labels(supplier, ("policy", policy.rawValue)),
                    factory: factory).increment()
        case .filesQueued, .pollCycle, .fileFinished, .fileHandedOff:
            break
        }
    }

    /// Gives a supplier's series their first values, so they exist before anything happens.
    private func declare(_ supplier: SupplierCap) {
        update(supplier.supplier) { $0.slotsCap.record(supplier.cap) }
    }

    private func committed(_ file: CommittedFile) {
        update(file.supplier) { series in
            let counts = [("loaded", file.rows.loaded), ("quarantined", file.rows.quarantined), ("filtered", file.rows.filtered)]
            for (outcome, count) in counts where count > 0 { series.rows[outcome]?.increment(by: count) }
            if file.bytes > 0 { series.bytes.increment(by: Int(file.bytes)) }
            if let outcome = file.outcome {
                let counter = series.files[outcome] ?? Counter(label: "sluice_files_total", dimensions: labels(file.supplier, ("outcome", outcome)), factory: factory)
                series.files[outcome] = counter
                counter.increment()
            }
        }
    }

    /// Changes a supplier's series, making them on first use.
    private func update(_ supplier: String, _ change: (inout SupplierSeries) -> Void) {
        series.withLock { all in
            if all[supplier] == nil { all[supplier] = makeSeries(supplier) }
            change(&all[supplier]!)
        }
    }

    private func makeSeries(_ supplier: String) -> SupplierSeries {
        let rows = Dictionary(uniqueKeysWithValues: ["loaded", "quarantined", "filtered"].map { outcome in
            (outcome, Counter(label: "sluice_rows_total", dimensions: labels(supplier, ("outcome", outcome)), factory: factory))
        })
        for counter in rows.values { counter.increment(by: 0) }
        let made = SupplierSeries(
            rows: rows,
            bytes: Counter(label: "sluice_bytes_read_total", dimensions: labels(supplier), factory: factory),
            retries: Counter(label: "sluice_retries_total", dimensions: labels(supplier), factory: factory),
            slotsInUse: Gauge(label: "sluice_slots_in_use", dimensions: labels(supplier), factory: factory),
            slotsCap: Gauge(label: "sluice_slots_cap", dimensions: labels(supplier), factory: factory),
            breakerOpen: Gauge(label: "sluice_breaker_open", dimensions: labels(supplier), factory: factory))
        made.bytes.increment(by: 0)
        made.retries.increment(by: 0)
        made.slotsInUse.record(0)
        made.breakerOpen.record(0)
        return made
    }
}
