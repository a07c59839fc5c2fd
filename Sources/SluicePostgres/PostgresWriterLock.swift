import Foundation
import SluiceCore
import Synchronization

/// The one-writer rule on PostgreSQL: a session-level advisory lock per pipeline, held on a
/// connection of its own for the whole run. The server lets it go when that session ends,
/// however the process ends, so it is never left behind. The holder writes its name into
/// `sluice_lock_holders` for the run that finds the lock taken.
public final class PostgresWriterLock: WriterLock {
    public let store: String
    private let settings: PostgresSettings
    private let pipeline: String
    private let session = Mutex<PostgresConnection?>(nil)
    private let holder = Mutex<StoreHolder?>(nil)

    public init(settings: PostgresSettings, pipeline: String) {
        self.settings = settings
        self.pipeline = pipeline
        store = settings.description
    }

    deinit { release() }

    public func tryAcquire(as holder: StoreHolder) throws -> LockAttempt {
        try session.withLock { held in
            if held != nil { return .acquired }
            let connection = try PostgresConnection(settings, applicationName: "sluice writer")
            try PostgresMigrations.apply(to: connection)
            let key = [pipeline]
            let taken = try connection.query("SELECT pg_try_advisory_lock(hashtext('sluice writer'), hashtext($1))", key)
            guard taken.bool(0, 0) else {
                let rows = try connection.query("SELECT holder FROM sluice_lock_holders WHERE pipeline = $1", key)
                return .held(by: rows.string(0, 0).flatMap { StoreHolder(text: $0) })
            }
            try connection.query("""
                INSERT INTO sluice_lock_holders (pipeline, holder) VALUES ($1, $2)
                ON CONFLICT (pipeline) DO UPDATE SET holder = EXCLUDED.holder
                """, [pipeline, holder.text])
            held = connection
            self.holder.withLock { $0 = holder }
            return .acquired
        }
    }

    /// Takes the lock again on a new session when the one holding it was lost (a server
    /// restart frees every session's locks).
    /// - Throws: `StoreError` (`busy`) when another run took it meanwhile: this run must stop.
    public func retake() throws {
        guard let holder = holder.withLock({ $0 }) else { return }
        let alive = session.withLock { held in held.map { (try? $0.query("SELECT 1")) != nil } ?? false }
        guard !alive else { return }
        session.withLock { $0 = nil }
        if case .held(let other) = try tryAcquire(as: holder) {
            throw StoreError("while the server was away another run took the store: \(other.map(\.description) ?? "unknown"); this run stops",
                             code: .busy)
        }
    }

    public func release() {
        session.withLock { held in
            guard let connection = held else { return }
            _ = try? connection.query("DELETE FROM sluice_lock_holders WHERE pipeline = $1", [pipeline])
            _ = try? connection.query("SELECT pg_advisory_unlock(hashtext('sluice writer'), hashtext($1))", [pipeline])
            held = nil
        }
    }
}
