import Synchronization

/// A checkpoint store and sink that keep everything in memory and load rows nowhere.
///
/// For dry runs (parse and validate, measure, store nothing) and for engine tests beside the
/// real SQLite store, never instead of it. It keeps the first `quarantineLimit` rejects and
/// counts the rest, so a dry run over millions of bad rows stays small.
public final class MemoryWarehouse: Sink, CheckpointStore, Sendable {
    private struct State {
        var files: [FileRecord] = []
        var byIdentity: [String: Int] = [:]
        var timings: [Int64: (started: Double, finished: Double)] = [:]
        var quarantine: [QuarantineEntry] = []
    }
    private let state = Mutex(State())
    private let quarantineLimit: Int

    public init(quarantineLimit: Int = 10_000) {
        self.quarantineLimit = quarantineLimit
    }

    public func prepare(columns: [OutputColumn]) throws {}

    public func commit(_ batches: [LoadBatch], at time: Double) throws {
        state.withLock { state in
            for batch in batches where batch.settled == nil {
                let progress = batch.progress
                for row in batch.quarantine where state.quarantine.count < quarantineLimit {
                    state.quarantine.append(QuarantineEntry(
                        supplier: batch.supplier, file: batch.file, kind: row.rowNumber == 0 ? "file" : "row",
                        line: row.line, byteOffset: row.offset, rowNumber: row.rowNumber, reason: row.reason, raw: row.raw))
                }
                let index = Int(progress.fileID) - 1
                guard state.files.indices.contains(index) else { continue }
                state.files[index].next = progress.next
                state.files[index].rows += progress.rows
                state.files[index].rowsInvalid += progress.rowsInvalid
                if let started = progress.startedAt {
                    state.files[index].attempts += 1
                    state.timings[progress.fileID, default: (0, 0)].started = started
                }
                switch progress.completion {
                case nil: state.files[index].state = .loading
                case .done: state.files[index].state = .done
                case .empty: state.files[index].state = .empty
                case .quarantined(let reason), .damaged(let reason):
                    state.files[index].state = .quarantined
                    state.files[index].lastError = reason
                case .failed(let reason), .rolledBack(let reason):
                    state.files[index].state = .failed
                    state.files[index].lastError = reason
                }
                if progress.completion != nil { state.timings[progress.fileID, default: (0, 0)].finished = progress.finishedAt ?? time }
            }
        }
    }

    public func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                         at time: Double) throws -> [FileRecord] {
        state.withLock { state in
            files.map { file in
                let identity = "\(file.supplier)\u{0}\(file.relativePath)\u{0}\(file.size)\u{0}\(file.fingerprint)"
                if let known = state.byIdentity[identity] { return state.files[known] }
                state.byIdentity[identity] = state.files.count
                var record = FileRecord(id: Int64(state.files.count + 1), supplier: file.supplier,
                                        relativePath: file.relativePath, size: file.size,
                                        fingerprint: file.fingerprint, state: .pending)
                state.files.append(record)
                record.registeredNow = true
                return record
            }
        }
    }

    public func beginRun(at time: Double) throws -> Int64 { 1 }
    public func finishRun(_ id: Int64, at time: Double, exitCode: Int32, summary: String, breakerOpenings: [BreakerOpening]) throws {}

    /// Like its runs, a memory store keeps no latencies: nothing reports on it.
    public func recordStageLatencies(_ latencies: [StageLatency], run id: Int64) throws {}

    public func status() throws -> [SupplierStatus] {
        state.withLock { state in
            Dictionary(grouping: state.files, by: \.supplier).map { supplier, files in
                var status = SupplierStatus(supplier: supplier)
                for file in files {
                    status.files[file.state, default: 0] += 1
                    status.rows += file.rows
                }
                return status
            }.sorted { $0.supplier < $1.supplier }
        }
    }

    public func quarantine(limit: Int?) throws -> [QuarantineEntry] {
        state.withLock { Array($0.quarantine.prefix(limit ?? .max)) }
    }

    public func timeline() throws -> [FileTiming] {
        state.withLock { state in
            state.files.compactMap { file in
                state.timings[file.id].map {
                    FileTiming(supplier: file.supplier, file: file.relativePath, startedAt: $0.started, finishedAt: $0.finished,
                               attempts: file.attempts)
                }
            }
        }
    }
}
