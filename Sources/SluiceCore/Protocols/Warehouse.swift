/// The staging table, the quarantine and the checkpoints: one thing, because a batch's rows, its
/// rejects and its file's new offset commit in one transaction. Exactly-once rests on that: a
/// crash leaves all of them or none.
///
/// Every call is one transaction. The decisions (what a new version of a file means, which
/// state a completion leads to) are the core's (`VersionPolicy`, `CompletionOutcome`); a
/// backend only runs statements.
public protocol Warehouse: AnyObject, Sendable {
    /// The store as a user would name it in a message (a path, `postgres://user@host/db`), never
    /// with a password.
    var location: String { get }
    /// Creates the staging table for `columns` if needed, or checks an existing one matches.
    /// - Throws: `StoreError` when it cannot, or when the table's columns differ.
    func prepare(columns: [OutputColumn]) async throws
    /// Commits every batch, its quarantined rows and its checkpoint, and returns the files
    /// whose batches named a lease another worker's claim has replaced: nothing of theirs commits.
    /// - Throws: `StoreError`; nothing of the group is then committed.
    @discardableResult
    func commit(_ batches: [LoadBatch], at time: Double) async throws -> Set<Int64>
    /// Records newly discovered files (once per identity) and returns the record for each input, in order.
    /// - Throws: `StoreError`.
    func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                  at time: Double) async throws -> [FileRecord]
    /// Opens a run and returns its id.
    /// - Throws: `StoreError`.
    func beginRun(at time: Double) async throws -> Int64
    /// Closes a run with its exit status and the times a supplier's breaker opened.
    /// - Throws: `StoreError`.
    func finishRun(_ id: Int64, at time: Double, exitCode: Int32, summary: String, breakerOpenings: [BreakerOpening]) async throws
    /// Keeps a finished run's latency percentiles per stage.
    /// - Throws: `StoreError`.
    func recordStageLatencies(_ latencies: [StageLatency], run id: Int64) async throws
    /// Files and rows per supplier and state, for `sluice status`.
    /// - Throws: `StoreError`.
    func status() async throws -> [SupplierStatus]
    /// Quarantined rows and files, oldest first, at most `limit`.
    /// - Throws: `StoreError`.
    func quarantine(limit: Int?) async throws -> [QuarantineEntry]
    /// Start and finish times of every file the latest run started, for timeline checks and reports.
    /// - Throws: `StoreError`.
    func timeline() async throws -> [FileTiming]
}

/// A warehouse whose calls block their thread: SQLite, libpq, anything that waits on a disk
/// or a socket. The same calls as `Warehouse`, synchronous; `OffPoolWarehouse` runs them on a
/// thread of their own, never on the cooperative pool the engine's tasks share.
public protocol BlockingWarehouse: AnyObject, Sendable {
    var location: String { get }
    func prepare(columns: [OutputColumn]) throws
    @discardableResult
    func commit(_ batches: [LoadBatch], at time: Double) throws -> Set<Int64>
    func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                  at time: Double) throws -> [FileRecord]
    func beginRun(at time: Double) throws -> Int64
    func finishRun(_ id: Int64, at time: Double, exitCode: Int32, summary: String, breakerOpenings: [BreakerOpening]) throws
    func recordStageLatencies(_ latencies: [StageLatency], run id: Int64) throws
    func status() throws -> [SupplierStatus]
    func quarantine(limit: Int?) throws -> [QuarantineEntry]
    func timeline() throws -> [FileTiming]
    /// Every version registered, per supplier, for counting what a listing holds beyond them.
    func registeredVersions() throws -> [String: Set<ListedVersion>]
}
