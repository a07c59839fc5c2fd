/// Makes a blocking backend a `Warehouse`: each call runs on one serial queue of its own, so a
/// commit waiting on fsync or on the network never holds a thread of the cooperative pool,
/// and calls on the backend's one connection take turns in the order they were made.
public final class OffPoolWarehouse: Warehouse {
    public let backend: any BlockingWarehouse
    private let pool = OffPool(label: "sluice.warehouse")

    public init(_ backend: any BlockingWarehouse) { self.backend = backend }

    /// The backend goes with this value, on the thread that lets it go (SQLite's close
    /// checkpoints, and a reader opening the file right after the run would find it locked).
    deinit { pool.drain() }

    public var location: String { backend.location }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (any BlockingWarehouse) throws -> T) async throws -> T {
        let backend = backend
        return try await pool.run { try body(backend) }
    }

    public func prepare(columns: [OutputColumn]) async throws {
        try await onQueue { try $0.prepare(columns: columns) }
    }

    @discardableResult
    public func commit(_ batches: [LoadBatch], at time: Double) async throws -> Set<Int64> {
        try await onQueue { try $0.commit(batches, at: time) }
    }

    public func register(_ files: [DiscoveredFile], onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                         at time: Double) async throws -> [FileRecord] {
        try await onQueue { try $0.register(files, onChange: onChange, onDuplicate: onDuplicate, at: time) }
    }

    public func beginRun(at time: Double) async throws -> Int64 {
        try await onQueue { try $0.beginRun(at: time) }
    }

    public func finishRun(_ id: Int64, at time: Double, exitCode: Int32, summary: String,
                          breakerOpenings: [BreakerOpening]) async throws {
        try await onQueue {
            try $0.finishRun(id, at: time, exitCode: exitCode, summary: summary, breakerOpenings: breakerOpenings)
        }
    }

    public func recordStageLatencies(_ latencies: [StageLatency], run id: Int64) async throws {
        try await onQueue { try $0.recordStageLatencies(latencies, run: id) }
    }

    public func status() async throws -> [SupplierStatus] {
        try await onQueue { try $0.status() }
    }

    public func quarantine(limit: Int?) async throws -> [QuarantineEntry] {
        try await onQueue { try $0.quarantine(limit: limit) }
    }

    public func timeline() async throws -> [FileTiming] {
        try await onQueue { try $0.timeline() }
    }
}
