/// How a file's processing ended, carried by its last batch.
public enum FileCompletion: Sendable, Equatable {
    case done
    /// The whole file is rejected; rows it committed earlier are taken back out.
    case quarantined(reason: String)
    /// The file could not be read this time; it stays eligible for the next run from its checkpoint.
    case failed(reason: String)
    /// The file has no bytes at all: recorded, nothing to load.
    case empty
    /// The file is corrupt or truncated past some point; the rows before it are kept
    /// (`on_corrupt: keep_good_rows`) and the file is quarantined with the reason.
    case damaged(reason: String)
    /// The file changed while it was read: everything it committed is taken back out and its
    /// checkpoint returns to the start, so no row of the old content survives next to the new.
    case rolledBack(reason: String)
}

/// What one batch advances in its file's checkpoint. Counts are this batch's own.
public struct FileProgress: Sendable {
    public var fileID: Int64
    /// Where reading resumes after this batch.
    public var next: ResumePoint
    public var rows = RowCounts()
    /// Rows that failed validation, whatever the policy did with them (for the error budget).
    public var rowsInvalid = 0
    /// Set on the first batch of an attempt: when the file's slot was granted (Unix seconds).
    public var startedAt: Double?
    /// Set with `startedAt`: when the file became eligible to start, so the slot wait is known.
    public var queuedAt: Double?
    /// Set on the last batch.
    public var completion: FileCompletion?
    /// Set on the last batch: when the file was read to its end and its slot freed (Unix seconds).
    public var finishedAt: Double?
    /// Set on the first batch of an attempt once the header was read: how the file is read.
    public var reading: FileReading?
    /// The claim the file is read under, when several workers share the store: the commit is
    /// refused once another claim replaced it, and the last batch's commit lets it go.
    public var lease: Lease?

    public init(fileID: Int64, next: ResumePoint) {
        self.fileID = fileID
        self.next = next
    }
}

/// The unit of work the loader commits: one file's rows, rejects and checkpoint, all or nothing.
public struct LoadBatch: Sendable {
    public var supplier: String
    public var file: String
    public var rows: RowBatch
    public var quarantine: [QuarantinedRow]
    public var progress: FileProgress
    /// Set on a batch that only records that the file was settled (archived or deleted).
    public var settled: SettleDefinition.Action?
    /// Bytes of CSV text (inflated, for gzip) this batch's rows were read from.
    public var bytes: Int64 = 0
    /// Where the batch's time went before the loader took it.
    public var stages = BatchStages()

    public init(supplier: String, file: String, rows: RowBatch, quarantine: [QuarantinedRow], progress: FileProgress) {
        self.supplier = supplier
        self.file = file
        self.rows = rows
        self.quarantine = quarantine
        self.progress = progress
    }
}
