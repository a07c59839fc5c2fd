import Foundation
import SluiceCore
import Synchronization

/// What `/status` answers: the run as the engine's events have told it, per supplier.
public final class StatusBoard: EngineObserver {
    /// One supplier's files and slots as `/status` shows them.
    public struct Supplier: Codable, Sendable, Equatable {
        public var name: String
        public var slotsCap = 0
        public var slotsInUse = 0
        /// Files waiting for a slot (a retry waiting for its backoff included).
        public var filesQueued = 0
        /// Files holding a slot now (the same count as `slotsInUse`, named for readers of `/status`).
        public var filesInFlight = 0
        public var filesDone = 0
        public var filesQuarantined = 0
        public var filesFailed = 0
        /// Files whose header drifted from the schema, this run.
        public var filesDrifted = 0
        public var rows = RowCounts()
        public var bytesRead: Int64 = 0
        public var breakerOpen = false
        /// Files present in the supplier's folder but not complete yet (stream).
        public var filesWaiting = 0
        /// Age of the oldest file waiting for a slot: how far behind the supplier is.
        public var oldestQueuedSeconds: Double?
        public var lastCommitUnix: Double?

        public init(name: String) { self.name = name }
    }

    /// The whole answer of `/status`.
    public struct Snapshot: Codable, Sendable {
        public var pipeline: String
        public var mode: String
        public var runID: Int64?
        public var startedUnix: Double
        public var lastCommitUnix: Double?
        public var suppliers: [Supplier]
    }

    private struct State {
        var runID: Int64?
        var lastCommit: Double?
        var suppliers: [String: Supplier] = [:]
        /// When each queued file was queued, per supplier: the oldest is the supplier's lag.
        var queuedAt: [String: [Int64: Double]] = [:]
        /// Rows committed so far by each file whose last batch has not committed: a file
        /// rejected whole, or rolled back, takes them back.
        var committedByFile: [Int64: RowCounts] = [:]

        mutating func update(_ name: String, _ change: (inout Supplier) -> Void) {
            change(&suppliers[name, default: Supplier(name: name)])
        }

        /// A file's batch committed; its last batch settles what its earlier ones count as.
        mutating func committed(_ file: CommittedFile, at time: Double) {
            let earlier = committedByFile.removeValue(forKey: file.fileID) ?? RowCounts()
            update(file.supplier) { supplier in
                supplier.rows += file.rows
                supplier.bytesRead += file.bytes
                supplier.lastCommitUnix = time
                switch file.outcome {
                case "quarantined"?:
                    // The store moves the rows it loaded from the file to the quarantine.
                    supplier.rows.loaded -= earlier.loaded
                    supplier.rows.quarantined += earlier.loaded
                case "rolled_back"?:
                    supplier.rows -= earlier
                default:
                    break
                }
            }
            if file.outcome == nil { committedByFile[file.fileID] = earlier + file.rows }
        }
    }

    private let pipeline: String
    private let mode: String
    private let started = Date().timeIntervalSince1970
    private let state = Mutex(State())

    /// - Parameter mode: `run` or `stream`, as `/status` reports it.
    public init(pipeline: String, mode: String) {
        self.pipeline = pipeline
        self.mode = mode
    }

    /// Whether the run has begun: its store is open and its suppliers are known.
    public var isReady: Bool { state.withLock { $0.runID != nil } }

    public func observe(_ event: EngineEvent) {
        let now = Date().timeIntervalSince1970
        state.withLock { state in
            switch event {
            case .runStarted(let runID, let suppliers):
                state.runID = runID
                for supplier in suppliers { state.update(supplier.supplier) { $0.slotsCap = supplier.cap } }
            case .supplierJoined(let supplier):
                state.update(supplier.supplier) { $0.slotsCap = supplier.cap }
            case .filesQueued(let supplier, let fileIDs):
                state.update(supplier) { $0.filesQueued += fileIDs.count }
                for id in fileIDs { state.queuedAt[supplier, default: [:]][id] = now }
            case .slotGranted(let supplier, let fileID, _):
                state.update(supplier) {
                    $0.filesQueued = max(0, $0.filesQueued - 1)
                    $0.slotsInUse += 1
                }
                state.queuedAt[supplier]?[fileID] = nil
            case .fileRead(let read):
                state.update(read.supplier) { $0.slotsInUse = max(0, $0.slotsInUse - 1) }
            case .fileHandedOff(let supplier, let fileID, let afterReading):
                if !afterReading { state.update(supplier) { $0.filesQueued = max(0, $0.filesQueued - 1) } }
                state.queuedAt[supplier]?[fileID] = nil
            case .fileRetried(let supplier, let fileID):
                state.update(supplier) { $0.filesQueued += 1 }
                state.queuedAt[supplier, default: [:]][fileID] = now
            case .fileFinished(let finished):
                state.update(finished.supplier) { supplier in
                    switch finished.outcome {
                    case "done", "empty": supplier.filesDone += 1
                    case "failed", "rolled_back": supplier.filesFailed += 1
                    case "quarantined", "damaged": supplier.filesQuarantined += 1
                    default: break
                    }
                }
            case .batchCommitted(let files, _, let at, _):
                state.lastCommit = at
                for file in files { state.committed(file, at: at) }
            case .breakerOpened(let supplier, _):
                state.update(supplier) { $0.breakerOpen = true }
            case .breakerClosed(let supplier):
                state.update(supplier) { $0.breakerOpen = false }
            case .pollCycle(let supplier, let waiting):
                state.update(supplier) { $0.filesWaiting = waiting }
            case .headerDrift(let supplier, _, _, _):
                state.update(supplier) { $0.filesDrifted += 1 }
            case .error, .endpointAnswered:
                break
            }
        }
    }

    /// The board as it is now.
    public func snapshot() -> Snapshot {
        let now = Date().timeIntervalSince1970
        return state.withLock { state in
            let suppliers = state.suppliers.values.sorted { $0.name < $1.name }.map { supplier in
                var supplier = supplier
                supplier.filesInFlight = supplier.slotsInUse
                supplier.oldestQueuedSeconds = state.queuedAt[supplier.name]?.values.min().map { max(0, now - $0) }
                return supplier
            }
            return Snapshot(pipeline: pipeline, mode: mode, runID: state.runID, startedUnix: started,
                            lastCommitUnix: state.lastCommit, suppliers: suppliers)
        }
    }

    /// `/status` as JSON, its keys in snake case.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(snapshot())) ?? Data("{}".utf8)
    }
}
