/// What the engine reports as it works. Metrics, progress lines and logs are observers of
/// these events; none of them reaches into the engine.
public enum EngineEvent: Sendable {
    /// A run began; `suppliers` are those known at its start, with their file caps.
    case runStarted(runID: Int64, suppliers: [SupplierCap])
    /// A supplier folder appeared while the run went on.
    case supplierJoined(SupplierCap)
    /// Files of one delivery handed to the scheduler, by store id.
    case filesQueued(supplier: String, fileIDs: [Int64])
    /// A file got its slot after waiting `waitSeconds` since it became eligible.
    case slotGranted(supplier: String, fileID: Int64, waitSeconds: Double)
    /// A file's attempt ended and its slot is free: `rows` are this attempt's own counts.
    case fileRead(FileReadEvent)
    /// A file failed for a passing reason and goes back to the limiter for another attempt.
    case fileRetried(supplier: String, fileID: Int64)
    /// Another worker sharing the store loaded a queued file, or took over one this worker
    /// read (`afterReading`); it is no longer this worker's to load.
    case fileHandedOff(supplier: String, fileID: Int64, afterReading: Bool)
    /// A file is done with for this run: no retry follows. `rows` are its result over every
    /// attempt, as the store keeps them (none loaded for a file quarantined whole or rolled back).
    case fileFinished(FileFinishedEvent)
    /// One loader transaction committed: the files it advanced, how long it took, and the rows
    /// still waiting in the loader's queue.
    case batchCommitted(files: [CommittedFile], seconds: Double, at: Double, queueRows: Int)
    /// A supplier's circuit breaker paused it, or let it start files again.
    case breakerOpened(supplier: String, untilSeconds: Double)
    case breakerClosed(supplier: String)
    /// Something went wrong at a stage: `kind` is a short fixed word, never a file name.
    case error(supplier: String, stage: String, kind: String)
    /// One supplier's directory was polled (stream): files still waiting to be complete.
    case pollCycle(supplier: String, waiting: Int)
    /// An endpoint supplier answered a request with `status`; nil when no answer came (a
    /// refused or broken connection, a timeout).
    case endpointAnswered(supplier: String, status: Int?)
    /// A file's header drifts from the schema (`on_drift: warn` and the stricter policies).
    case headerDrift(supplier: String, file: String, drift: HeaderDrift, policy: DriftPolicy)
}

/// A supplier and its cap of files at a time.
public struct SupplierCap: Sendable, Equatable {
    public var supplier: String
    public var cap: Int

    public init(supplier: String, cap: Int) {
        self.supplier = supplier
        self.cap = cap
    }
}

/// One attempt at one file, as its slot is freed.
public struct FileReadEvent: Sendable {
    public var supplier: String
    public var fileID: Int64
    /// `done`, `empty`, `quarantined`, `damaged`, `failed`, `rolled_back` or `interrupted`.
    public var outcome: String
    public var rows: RowCounts
    /// From the slot's grant to the end of reading.
    public var seconds: Double

    public init(supplier: String, fileID: Int64, outcome: String, rows: RowCounts, seconds: Double) {
        self.supplier = supplier
        self.fileID = fileID
        self.outcome = outcome
        self.rows = rows
        self.seconds = seconds
    }
}

/// A file's end in this run.
public struct FileFinishedEvent: Sendable {
    public var supplier: String
    public var fileID: Int64
    /// `done`, `empty`, `quarantined`, `damaged`, `failed`, `rolled_back` or `interrupted`.
    public var outcome: String
    public var rows: RowCounts

    public init(supplier: String, fileID: Int64, outcome: String, rows: RowCounts) {
        self.supplier = supplier
        self.fileID = fileID
        self.outcome = outcome
        self.rows = rows
    }
}

/// A file's share of one commit.
public struct CommittedFile: Sendable {
    public var supplier: String
    public var fileID: Int64
    public var rows: RowCounts
    /// Bytes of CSV text (inflated, for gzip) the committed rows were read from.
    public var bytes: Int64
    /// Where the batch's time went before it committed.
    public var stages: BatchStages
    /// Set when this commit ended the file's attempt (see `FileCompletion.label`).
    public var outcome: String?

    public init(supplier: String, fileID: Int64, rows: RowCounts, bytes: Int64, stages: BatchStages, outcome: String?) {
        self.supplier = supplier
        self.fileID = fileID
        self.rows = rows
        self.bytes = bytes
        self.stages = stages
        self.outcome = outcome
    }
}

/// Seconds one batch spent in each stage before the loader took it.
public struct BatchStages: Sendable, Equatable {
    /// Fetching and inflating bytes.
    public var read: Double = 0
    /// Parsing, validating and transforming rows: the batch's build time less its reads.
    public var parseValidate: Double = 0
    /// From being handed to the loader's queue to the start of its commit.
    public var queueWait: Double = 0

    public init(read: Double = 0, parseValidate: Double = 0, queueWait: Double = 0) {
        self.read = read
        self.parseValidate = parseValidate
        self.queueWait = queueWait
    }
}

/// Receives the engine's events. Called on the engine's own tasks: an observer does little
/// work and never blocks.
public protocol EngineObserver: Sendable {
    func observe(_ event: EngineEvent)
}

/// The observers of one pipeline; with none, emitting costs nothing.
public struct EngineEvents: Sendable {
    public var observers: [any EngineObserver]

    public init(_ observers: [any EngineObserver] = []) { self.observers = observers }

    public func emit(_ event: @autoclosure () -> EngineEvent) {
        guard !observers.isEmpty else { return }
        let event = event()
        for observer in observers { observer.observe(event) }
    }
}

extension FileCompletion {
    /// A short fixed word for metrics and logs.
    public var label: String {
        switch self {
        case .done: "done"
        case .empty: "empty"
        case .quarantined: "quarantined"
        case .damaged: "damaged"
        case .failed: "failed"
        case .rolledBack: "rolled_back"
        }
    }
}
