import Synchronization

/// A checkpoint store and sink that keep everything in memory and load rows nowhere.
///
/// For dry runs (parse and validate, measure, store nothing) and for engine tests beside the
/// real SQLite store, never instead of it. It keeps the first `quarantineLimit` rejects and
/// counts the rest, so a dry run over millions of bad rows stays small.
public final class MemoryWarehouse: BlockingWarehouse, Sendable {
    fileprivate struct State {
        var files: [FileRecord] = []
        var byIdentity: [String: Int] = [:]
        /// Indexes of every version of a supplier path, and of every file with some content:
        /// a dry run over a large listing registers each file without reading all the others.
        var byPath: [String: [Int]] = [:]
        var byContent: [String: [Int]] = [:]
        var timings: [Int64: (started: Double, finished: Double)] = [:]
        var quarantine: [QuarantineEntry] = []
    }
    private let state = Mutex(State())
    private let quarantineLimit: Int

    public init(quarantineLimit: Int = 10_000) {
        self.quarantineLimit = quarantineLimit
    }

    public var location: String { "memory" }

    public func prepare(columns: [OutputColumn]) throws {}

    public func commit(_ batches: [LoadBatch], at time: Double) throws -> Set<Int64> {
        state.withLock { state in
            for batch in batches where batch.settled == nil {
                let progress = batch.progress
                let index = Int(progress.fileID) - 1
                guard state.files.indices.contains(index), VersionPolicy.acceptsCommit(in: state.files[index].state) else { continue }
                for row in batch.quarantine where state.quarantine.count < quarantineLimit {
                    state.quarantine.append(QuarantineEntry(
                        supplier: batch.supplier, file: batch.file, kind: row.rowNumber == 0 ? "file" : "row",
                        line: row.line, byteOffset: row.offset, rowNumber: row.rowNumber, reason: row.reason, raw: row.raw))
                }
                state.files[index].next = progress.next
                if let reading = batch.progress.reading { state.files[index].readWith = reading.profileKey }
                state.files[index].rows += progress.rows
                state.files[index].rowsInvalid += progress.rowsInvalid
                if let started = progress.startedAt {
                    state.files[index].attempts += 1
                    state.timings[progress.fileID, default: (0, 0)].started = started
                }
                let outcome = CompletionOutcome(progress.completion)
                state.files[index].state = outcome.state
                state.files[index].lastError = outcome.error ?? state.files[index].lastError
                switch outcome.cleanup {
                case .none: break
                case .rejectFile:
                    let rows = state.files[index].rows
                    state.files[index].rows.loaded = 0
                    state.files[index].rows.quarantined = rows.read - rows.filtered
                case .rollBack:
                    let file = state.files[index]
                    state.quarantine.removeAll { $0.kind == "row" && $0.supplier == file.supplier && $0.file == file.relativePath }
                    state.files[index].rows = RowCounts()
                    state.files[index].rowsInvalid = 0
                    state.files[index].next = .start
                }
                if outcome.finished { state.timings[progress.fileID, default: (0, 0)].finished = progress.finishedAt ?? time }
            }
        }
        // One process, no leases: nothing is refused for one.
        return []
    }

    public func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                         at time: Double) throws -> [FileRecord] {
        state.withLock { state in
            files.map { file in
                let identity = "\(file.supplier)\u{0}\(file.relativePath)\u{0}\(file.size)\u{0}\(file.fingerprint)"
                if let known = state.byIdentity[identity] { return state.files[known] }
                let id = Int64(state.files.count + 1)
                let path = "\(file.supplier)\u{0}\(file.relativePath)", content = "\(file.size)\u{0}\(file.fingerprint)"
                let others = (state.byPath[path] ?? []).map { state.files[$0] }
                let earlierCopies = state.byContent[content] ?? []
                state.byIdentity[identity] = state.files.count
                state.byPath[path, default: []].append(state.files.count)
                state.byContent[content, default: []].append(state.files.count)
                state.files.append(FileRecord(id: id, supplier: file.supplier, relativePath: file.relativePath, size: file.size,
                                              fingerprint: file.fingerprint, state: .pending))
                let history = VersionHistory(
                    unfinished: others.filter { [.pending, .loading, .failed].contains($0.state) || ($0.state == .quarantined && $0.rows.loaded > 0) }.map(\.id),
                    loaded: others.filter { $0.state == .done }.map { PriorVersion(id: $0.id, size: $0.size) })
                let steps = VersionPolicy.steps(for: file, newID: id, history: history, onChange: onChange, onDuplicate: onDuplicate) {
                    earlierCopies.map { state.files[$0] }.first { [.pending, .loading, .done, .failed].contains($0.state) }
                        .map { "\($0.supplier)/\($0.relativePath)" }
                }
                for step in steps { state.apply(step, for: file, at: time) }
                var record = state.files[Int(id) - 1]
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

    public func registeredVersions() throws -> [String: Set<ListedVersion>] {
        state.withLock { state in
            Dictionary(grouping: state.files, by: \.supplier).mapValues { Set($0.map { ListedVersion(path: $0.relativePath, size: $0.size) }) }
        }
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

extension MemoryWarehouse.State {
    /// Runs one step of `VersionPolicy` on the records (a memory store stages no rows to take out).
    mutating func apply(_ step: VersionStep, for file: DiscoveredFile, at time: Double) {
        switch step {
        case .supersede(let id, let reason, let forgetLoadedRows):
            files[Int(id) - 1].state = .superseded
            files[Int(id) - 1].lastError = reason
            if forgetLoadedRows { files[Int(id) - 1].rows.loaded = 0 }
        case .mark(let id, let newState, let reason):
            files[Int(id) - 1].state = newState
            files[Int(id) - 1].lastError = reason
        case .quarantineFile(_, let reason):
            quarantine.append(QuarantineEntry(supplier: file.supplier, file: file.relativePath, kind: "file", line: nil,
                                              byteOffset: nil, rowNumber: nil, reason: reason, raw: nil))
        case .removePruned:
            break
        }
    }
}
