import Foundation
import Logging

/// What one file contributed to this run, counted only from committed batches.
struct FileResult: Sendable {
    var supplier: String
    var completion: FileCompletion
    var rows = RowCounts()
    var startedAt: Double
    var finishedAt: Double = 0
    /// Stopped early by a stop request; the checkpoint holds where to resume.
    var interrupted = false
    /// The file's checkpoint as this attempt leaves it, for a retry to resume from.
    var committed: FileRecord
    /// How long the source asked to wait before trying again, if it said.
    var retryAfter: Duration?
    /// Whether another attempt in this run could succeed.
    var retryable = true
    /// Where this attempt went wrong, as fixed words for metrics: a stage and a kind.
    var error: (stage: String, kind: String)?
    /// The last batch's commit: the file is done only once its rows are in the store, and under
    /// a lease the store may refuse it (another worker took the file over).
    var lastCommit: CommitSignal?

    var isRolledBack: Bool {
        if case .rolledBack = completion { return true }
        return false
    }

    /// Adds an earlier attempt's committed rows.
    mutating func addCounts(of earlier: FileResult) {
        rows += earlier.rows
        startedAt = min(startedAt, earlier.startedAt)
    }
}

/// Reads, validates and transforms one file, sending its micro-batches to the loader.
struct FileWorker: Sendable {
    let definition: PipelineDefinition
    let plan: OutputPlan
    let readers: any RecordReaderFactory
    let queue: BoundedQueue<LoaderItem>
    let clock: RunClock
    let stop: StopRequest
    /// Where loaded files go for their `after_load` action; nil when files are kept.
    let settleRequests: BoundedQueue<SettleRequest>?
    let logger: Logger
    /// The schema's validators per supplier profile, shared by every file of the run.
    let validators: ProfiledValidators
    let events: EngineEvents
    /// Each supplier's profile key, recorded with every file read.
    let profileKeys: ProfileKeys

    /// Processes `job` to its end and queues its last batch; `lastCommit` tells when that landed.
    /// - Throws: only when the loader failed; every problem with the file itself is an outcome.
    func run(_ job: FileJob, startedAt: Double) async throws -> FileResult {
        var state = FileRun(job: job, startedAt: startedAt, batchRows: definition.source.batchRows,
                            columnCount: plan.columns.count)
        do {
            let opening = ContinuousClock.now
            let profile = definition.profile(for: job.file.supplier)
            let options = definition.source.reader.reading(with: profile, schema: definition.schema)
            let reader = try await readers.open(job.file, resume: job.record.next, options: options)
            state.reader = reader
            state.restartBatchClock()
            if job.record.next.offset > 0 {
                logger.info("resuming a partly loaded file", metadata: [
                    "supplier": "\(job.file.supplier)", "file.id": "\(job.id)", "file": "\(job.file.relativePath)",
                    "resume.offset": "\(job.record.next.offset)", "resume.row": "\(job.record.next.rowsBefore)",
                    "resume.seconds": "\((ContinuousClock.now - opening).inSeconds)"])
            }
            defer { reader.close() }
            let key = profileKeys.key(for: job.file.supplier)
            let mapping: HeaderMapping
            do {
                mapping = try HeaderMapping(header: reader.header, schema: definition.schema, profile: profile)
            } catch {
                // The header is recorded even when it cannot be mapped: the report shows what came.
                state.progress.reading = FileReading(profileKey: key, header: reader.header, mapping: nil)
                throw error
            }
            state.progress.reading = FileReading(profileKey: key, header: reader.header, mapping: mapping)
            try decideDrift(mapping.drift, job.file, profile.onDrift)
            var processor = RowProcessor(
                schema: definition.schema, plan: plan, mapping: mapping, profile: profile,
                templateValues: ["supplier": job.file.supplier, "file": job.file.relativePath, "pipeline": definition.name],
                validators: validators(job.file.supplier))
            // A headerless file's width is known only from its first row: another width is the wrong profile.
            var widthChecked = profile.header == .present || job.record.next.offset > 0
            var raw = RawRow()
            while true {
                // A download's bytes may still be on their way: wait for them here, not in a blocked thread.
                if reader.awaitsInput { try await reader.waitForInput() }
                let read = try reader.next(into: &raw)
                if read == .end {
                    state.advance(to: raw.next)
                    break
                }
                if !widthChecked {
                    widthChecked = true
                    if raw.fieldCount != reader.header.count {
                        throw ReadError(.malformedHeader, "the file has \(raw.fieldCount) fields per row but the profile (header: absent) names \(reader.header.count) columns", line: raw.line, offset: raw.offset)
                    }
                }
                let rowNumber = raw.next.rowNumber
                let outcome: RowOutcome = switch read {
                case .malformed(let reason): .invalid(reason)
                default: processor.process(raw, rowNumber: rowNumber, into: &state.batch)
                }
                try state.count(outcome, raw: raw, rowNumber: rowNumber, policy: definition.schema.onInvalid)
                state.advance(to: raw.next)
                if stop.isRequested { return try await interrupt(&state) }
                if state.isFull || state.isOverdue(maxDelay: definition.source.maxDelay) {
                    try await send(state.takeBatch(), wait: false)
                    state.restartBatchClock()
                }
            }
            try reader.verifyUnchanged()
            let verdict = state.budgetVerdict(maxInvalidRatio: definition.schema.maxInvalidRatio)
            if verdict != .done { state.result.error = ("validate", "error_budget") }
            return try await finish(&state, verdict)
        } catch let error as ReadError {
            state.result.error = ("read", "\(error.kind)")
            let reason = "\(job.file.supplier)/\(job.file.relativePath): \(error)"
            if error.kind == .changed {
                state.abandonPending()
                return try await finish(&state, .rolledBack(reason: reason))
            }
            if error.isTransient {
                state.abandonPending()
                state.result.retryAfter = error.retryAfter
                state.result.retryable = error.isRetryableNow
                return try await finish(&state, .failed(reason: reason))
            }
            if error.kind == .empty { return try await finish(&state, .empty) }
            if definition.source.onCorrupt == .keep_good_rows, error.kind == .truncated {
                let kept = "\(reason); the \(state.result.rows.read + state.progress.rows.read) rows before it were kept (on_corrupt: keep_good_rows)"
                state.quarantineWholeFile(kept, line: error.line, offset: error.offset)
                return try await finish(&state, .damaged(reason: kept))
            }
            return try await finish(&state, .quarantined(reason: reason), line: error.line, offset: error.offset)
        } catch let rejection as FileRejection {
            state.result.error = ("validate", "invalid_row")
            return try await finish(&state, .quarantined(reason: rejection.reason), line: rejection.line, offset: rejection.offset)
        }
    }

    /// A header that drifts from the schema is logged and counted, and under the stricter
    /// policies ends the file here, before any row is read.
    private func decideDrift(_ drift: HeaderDrift, _ file: DiscoveredFile, _ policy: DriftPolicy) throws {
        guard !drift.isEmpty, policy != .load else { return }
        logger.warning("a file's header drifts from the schema", metadata: [
            "supplier": "\(file.supplier)", "file": "\(file.relativePath)", "drift": "\(drift)", "on_drift": "\(policy.rawValue)"])
        events.emit(.headerDrift(supplier: file.supplier, file: file.relativePath, drift: drift, policy: policy))
        switch policy {
        case .load, .warn: return
        case .quarantine_file:
            throw ReadError(.malformedHeader, "the header drifts from the schema (\(drift)); on_drift is quarantine_file: fix the profile or the schema and it loads on the next run", line: 1, offset: 0)
        case .fail:
            throw ReadError(.drift, "the header drifts from the schema (\(drift)); on_drift is fail: not loaded until the profile or the schema takes it", line: 1, offset: 0)
        }
    }

    /// Sends the last batch with the file's completion. The slot is free once the file is read:
    /// the commit follows in the loader's next group, and a settle action after it.
    private func finish(_ state: inout FileRun, _ completion: FileCompletion,
                        line: Int? = nil, offset: Int64? = nil) async throws -> FileResult {
        if case .quarantined(let reason) = completion {
            state.discardPendingRows()
            state.quarantineWholeFile(reason, line: line, offset: offset)
        }
        if case .rolledBack = completion {
            // Everything this file committed is taken back out, so it counts nothing.
            state.result.rows = RowCounts()
            let record = state.job.record
            state.result.committed = FileRecord(id: record.id, supplier: record.supplier, relativePath: record.relativePath,
                                                size: record.size, fingerprint: record.fingerprint, state: .failed)
        }
        var last = state.takeBatch()
        last.progress.completion = completion
        state.result.completion = completion
        if case .quarantined = completion {
            // None of a rejected file's rows load: everything read and not filtered counts as quarantined.
            state.result.rows.loaded = 0
            state.result.rows.quarantined = state.result.rows.read - state.result.rows.filtered
        }
        state.result.finishedAt = clock.timestamp()
        last.progress.finishedAt = state.result.finishedAt
        let settles = completion == .done && settleRequests != nil
        // The scheduler counts the file finished once this commit lands (or is refused).
        let committed = CommitSignal()
        try await queue.send(LoaderItem(batch: last, committed: committed))
        if settles { try await settleRequests?.send(SettleRequest(job: state.job, committed: committed)) }
        state.result.lastCommit = committed
        return state.result
    }

    /// A stop was requested: commit what was read so far and leave the file resumable.
    private func interrupt(_ state: inout FileRun) async throws -> FileResult {
        do {
            try await send(state.takeBatch(), wait: true)
        } catch is LeaseLost {
            // Another worker has the file now; what it loads is its own.
        }
        state.result.interrupted = true
        state.result.finishedAt = clock.timestamp()
        return state.result
    }

    private func send(_ batch: LoadBatch, wait: Bool) async throws {
        let signal = wait ? CommitSignal() : nil
        try await queue.send(LoaderItem(batch: batch, committed: signal))
        try await signal?.wait()
    }
}

/// A row policy of `fail`: the first invalid row rejects the file.
struct FileRejection: Error {
    let reason: String
    let line: Int
    let offset: Int64
}

/// The mutable state of one file's attempt: its pending batch and running counts.
struct FileRun {
    let job: FileJob
    let batchRows: Int
    let columnCount: Int
    var batch: RowBatch
    var quarantine: [QuarantinedRow] = []
    var progress: FileProgress
    var result: FileResult
    private var invalidThisAttempt = 0
    /// Where the last batch handed to the loader leaves the checkpoint.
    private var committedNext: ResumePoint
    /// The file's reader once open: it says how long reading took, apart from parsing.
    var reader: (any RecordReader)?
    /// The reader's read seconds when the pending batch was begun.
    private var readSecondsBefore = 0.0

    init(job: FileJob, startedAt: Double, batchRows: Int, columnCount: Int) {
        self.job = job
        self.batchRows = batchRows
        self.columnCount = columnCount
        batch = RowBatch(columnCount: columnCount,
                         expectedRows: Self.expectedRows(job.file, from: job.record.next.offset, batchRows: batchRows))
        progress = FileProgress(fileID: job.record.id, next: job.record.next)
        progress.lease = job.lease
        progress.startedAt = startedAt
        committedNext = job.record.next
        progress.queuedAt = job.queuedAt
        result = FileResult(supplier: job.file.supplier, completion: .done, startedAt: startedAt, committed: job.record)
    }

    var isFull: Bool { batch.rowCount + quarantine.count >= batchRows }

    /// When the pending batch was begun, for `max_delay` and the batch's stage times.
    private var batchBegan = ContinuousClock.now

    /// The batch's time starts again once the loader's queue took the last one: time spent
    /// waiting for room there is the queue's, not parsing.
    mutating func restartBatchClock() { batchBegan = .now }

    /// The pending batch has waited `maxDelay` for more rows (looked at every 64 rows, so a
    /// slow source's rows still reach the table in time and a fast one pays nothing).
    mutating func isOverdue(maxDelay: Duration) -> Bool {
        guard progress.rows.read & 63 == 0, progress.rows.read > 0 else { return false }
        return ContinuousClock.now - batchBegan >= maxDelay
    }

    /// Room to reserve for the next batch: what is left of the file at 64 bytes a row (gzip
    /// inflated about four times), within the batch size. Batches sit in the loader's queue,
    /// so a small file's batch must not hold room for thousands of rows it never had.
    static func expectedRows(_ file: DiscoveredFile, from offset: Int64, batchRows: Int) -> Int {
        let remaining = max(0, (file.isGzip ? file.size * 4 : file.size) - offset)
        return min(batchRows, max(16, Int(remaining / 64)))
    }

    /// Moves the checkpoint to `next`, counting the blank lines skipped on the way.
    mutating func advance(to next: ResumePoint) {
        progress.rows.blankLinesSkipped += next.blankLinesBefore - progress.next.blankLinesBefore
        progress.next = next
    }

    mutating func count(_ outcome: RowOutcome, raw: RawRow, rowNumber: Int, policy: InvalidRowPolicy) throws {
        progress.rows.read += 1
        switch outcome {
        case .loaded:
            progress.rows.loaded += 1
        case .filtered:
            progress.rows.filtered += 1
        case .invalid(let reason):
            invalidThisAttempt += 1
            progress.rowsInvalid += 1
            switch policy {
            case .quarantine:
                progress.rows.quarantined += 1
                quarantine.append(QuarantinedRow(line: raw.line, offset: raw.offset, rowNumber: rowNumber,
                                                 reason: reason, raw: raw.raw))
            case .drop:
                progress.rows.filtered += 1
            case .fail:
                progress.rows.quarantined += 1
                quarantine.append(QuarantinedRow(line: raw.line, offset: raw.offset, rowNumber: rowNumber,
                                                 reason: reason, raw: raw.raw))
                let place = "\(job.file.supplier)/\(job.file.relativePath) line \(raw.line), byte \(raw.offset)"
                throw FileRejection(reason: "\(place): on_invalid is fail and a row is invalid: \(reason)",
                                    line: raw.line, offset: raw.offset)
            }
        }
    }

    /// Hands over the pending batch with its checkpoint and starts a new one.
    mutating func takeBatch() -> LoadBatch {
        var taken = LoadBatch(supplier: job.file.supplier, file: job.file.relativePath, rows: batch,
                              quarantine: quarantine, progress: progress)
        let readSeconds = reader?.readSeconds ?? 0
        let built = (ContinuousClock.now - batchBegan).inSeconds
        taken.stages = BatchStages(read: readSeconds - readSecondsBefore, parseValidate: max(0, built - (readSeconds - readSecondsBefore)))
        taken.bytes = max(0, progress.next.offset - committedNext.offset)
        readSecondsBefore = readSeconds
        result.rows += progress.rows
        result.committed.next = progress.next
        result.committed.rows += progress.rows
        result.committed.rowsInvalid += progress.rowsInvalid
        batch = RowBatch(columnCount: columnCount,
                         expectedRows: Self.expectedRows(job.file, from: progress.next.offset, batchRows: batchRows))
        quarantine = []
        progress = FileProgress(fileID: job.record.id, next: progress.next)
        progress.lease = job.lease
        committedNext = progress.next
        batchBegan = ContinuousClock.now
        return taken
    }

    /// A transient failure: nothing pending is committed, and the checkpoint stays where it was.
    mutating func abandonPending() {
        let startedAt = progress.startedAt
        batch = RowBatch(columnCount: columnCount)
        quarantine = []
        progress = FileProgress(fileID: job.record.id, next: committedNext)
        progress.lease = job.lease
        progress.startedAt = startedAt
    }

    /// Rows of the pending batch will not load; they stay counted as read and become quarantined.
    mutating func discardPendingRows() {
        progress.rows.quarantined += progress.rows.loaded
        progress.rows.loaded = 0
        batch = RowBatch(columnCount: columnCount)
    }

    mutating func quarantineWholeFile(_ reason: String, line: Int?, offset: Int64?) {
        quarantine.append(QuarantinedRow(line: line ?? 0, offset: offset ?? 0, rowNumber: 0, reason: reason, raw: []))
    }

    /// Past the error budget the whole file is quarantined; counts include earlier attempts.
    func budgetVerdict(maxInvalidRatio: Double) -> FileCompletion {
        let read = job.record.rows.read + result.rows.read + progress.rows.read
        let invalid = job.record.rowsInvalid + invalidThisAttempt
        guard read > 0, Double(invalid) / Double(read) > maxInvalidRatio else { return .done }
        let percent = { (x: Double) in String(format: "%.1f%%", x * 100) }
        return .quarantined(reason: "\(job.file.supplier)/\(job.file.relativePath): error budget exceeded: \(invalid) of \(read) rows invalid (\(percent(Double(invalid) / Double(read))) > max_invalid_ratio \(percent(maxInvalidRatio)))")
    }
}
