import Foundation
import Logging
import SluiceCore
import Synchronization

/// Several workers sharing one PostgreSQL store: files, slots and the pace of starts are rows,
/// taken with `SKIP LOCKED` under leases that expire. The claims have a connection of their
/// own, so a claim never waits behind a commit's `COPY`.
///
/// Claims, renewals and releases commit without waiting for the server's disk: one lost in a
/// server crash is harmless, because every commit of rows checks the lease's owner and epoch
/// in its own (durable) transaction.
public final class PostgresFileClaims: FileClaims, @unchecked Sendable {
    public let worker: String
    public let leaseTTL: Duration
    private let settings: PostgresSettings
    private let pipeline: String
    private let logger: Logger
    /// Used on `pool` only.
    private var connection: PostgresConnection
    private let pool = OffPool(label: "sluice.claims")
    private let shape = Mutex((paced: false, staggered: false, globalCap: 1, stagger: 0.0))
    /// Files read since the last claim, whose slots that claim gives back.
    private let read = Mutex<[Int64]>([])

    /// Connects, and lets go whatever an earlier process under the same worker name still held.
    /// - Throws: `StoreError`.
    public init(settings: PostgresSettings, pipeline: String, worker: String, leaseTTL: Duration,
                logger: Logger = Logger(label: "sluice")) throws {
        self.settings = settings
        self.pipeline = pipeline
        self.worker = worker
        self.leaseTTL = leaseTTL
        self.logger = logger
        connection = try Self.connect(settings)
        try connection.query(PostgresClaimSQL.releaseAll, [pipeline, worker])
    }

    deinit { pool.drain() }

    private static func connect(_ settings: PostgresSettings) throws -> PostgresConnection {
        let connection = try PostgresConnection(settings, applicationName: "sluice claims")
        try connection.execute("SET synchronous_commit = off")
        return connection
    }

    public func join(_ suppliers: [SupplierTerms], globalCap: Int, stagger: Duration) async throws {
        shape.withLock { shape in
            shape.paced = shape.paced || suppliers.contains { $0.spacing > .zero }
            shape.staggered = stagger > .zero
            shape.globalCap = globalCap
            shape.stagger = stagger.inSeconds
        }
        let everyone = [SupplierTerms(name: "", cap: globalCap, group: -1, spacing: .zero)]
        try await onPool { connection in
            _ = try connection.query(PostgresClaimSQL.join, [
                self.pipeline, array((everyone + suppliers).map(\.name)), array((everyone + suppliers).map { String($0.cap) }),
                array((everyone + suppliers).map { String($0.group) }),
            ])
        }
    }

    public func claim(fileID: Int64, supplier: SupplierTerms) async throws -> ClaimResult {
        let shape = shape.withLock { $0 }
        let sql = PostgresClaimSQL.claims[shape.paced && supplier.spacing > .zero ? 1 : 0][shape.staggered ? 1 : 0]
        let pipeline = pipeline, worker = worker, ttl = text(leaseTTL.inSeconds)
        return try await onPool { connection in
            // Taken on the queue, in the order of the calls: a slot given back before this claim goes with it.
            let read = self.read.withLock { read in
                defer { read.removeAll() }
                return read
            }
            let parameters: [String?] = [
                pipeline, worker, ttl, text(fileID), supplier.name, String(supplier.cap), String(shape.globalCap),
                text(supplier.spacing.inSeconds), String(supplier.group), text(shape.stagger), array(read.map(text)),
            ]
            // One row: the file's standing before the claim, then the claimed record if it was taken.
            let answer = try connection.query(sql, parameters, prepared: true)
            guard answer.count == 1, let state = FileState(rawValue: answer.string(0, 0) ?? "") else { return .finished }
            if !answer.isNull(0, 3) {
                return .claimed(Lease(owner: self.worker, epoch: answer.int(0, 3)), PostgresWarehouse.fileRecord(answer, 0, from: 4))
            }
            guard [.pending, .loading, .failed, .quarantined].contains(state) else { return .finished }
            // Held: look again within a second (the holder may finish or die), or when its lease runs out.
            if answer.bool(0, 1) { return .heldElsewhere(retryIn: .seconds(min(1, max(0.05, answer.double(0, 2))))) }
            // The supplier has no slot, pace or open group for it now: look again in a moment.
            return .noRoom(retryIn: .milliseconds(Int.random(in: 150...350)))
        }
    }

    /// The slots of a read file go back with this worker's next claim, which may take one of
    /// them straight away, or with the file's last commit, whichever comes first: no statement
    /// of their own.
    public func releaseSlot(of fileID: Int64) {
        read.withLock { $0.append(fileID) }
    }

    public func renew() async throws -> Int {
        try await onPool { connection in
            Int(try connection.query(PostgresClaimSQL.renew, [self.pipeline, self.worker, text(self.leaseTTL.inSeconds)]).int(0, 0))
        }
    }

    public func releaseAll() async throws {
        try await onPool { connection in
            _ = try connection.query(PostgresClaimSQL.releaseAll, [self.pipeline, self.worker])
        }
    }

    /// Runs `body` on the claims' own queue; a lost connection is made again for as long as
    /// `load.reconnect_for` allows, and the call run again (a claim run twice finds its own lease).
    private func onPool<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await pool.run {
            let deadline = self.settings.reconnectFor.map { ContinuousClock.now + $0 }
            var tries = 0
            while true {
                do {
                    return try body(self.connection)
                } catch let error as StoreError where error.code == .busy && tries < 5 {
                    // A deadlock's victim or a lock not to be had: nothing changed; run it again.
                    tries += 1
                    self.logger.info("a claim statement met a lock; running it again", metadata: ["error": "\(error.message)"])
                } catch let error as StoreError where error.code == .connectionLost {
                    guard let deadline, ContinuousClock.now < deadline else { throw error }
                    Thread.sleep(forTimeInterval: 0.5)
                    if let fresh = try? Self.connect(self.settings) { self.connection = fresh }
                }
            }
        }
    }
}
