import SluiceCore
import Synchronization
import Testing

/// A file counts as finished (in `/status`, the metrics and the run's tally) only once its rows
/// are in the store: whoever hears that a file finished and reads the store finds it there.
@Suite struct FinishedAfterCommitTests {
    /// Reads the store's record of each file the moment the engine says it finished.
    final class StoreReader: EngineObserver {
        let database: String
        /// Per finished file: its outcome, and its state and staged rows in the store then.
        let seen = Mutex<[(outcome: String, state: String?, rows: Int)]>([])

        init(database: String) { self.database = database }

        func observe(_ event: EngineEvent) {
            guard case .fileFinished(let finished) = event else { return }
            let record = (try? query(database, """
                SELECT state, (SELECT count(*) FROM staging_orders s WHERE s._supplier = f.supplier AND s._file = f.path)
                FROM sluice_files f WHERE id = \(finished.fileID)
                """))?.first
            seen.withLock { $0.append((finished.outcome, record?[0] ?? nil, Int(record?[1] ?? "") ?? -1)) }
        }
    }

    @Test func aFinishedFileIsAlreadyInTheStore() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 6, size: 6_000, invalid: 0.05)
        let database = dir.path("store.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        let reader = StoreReader(database: database)
        _ = try await runBatch(definition, plan, observers: [reader])
        let seen = reader.seen.withLock { $0 }
        #expect(seen.count == 18)
        #expect(seen.contains { $0.outcome == "done" })
        for file in seen {
            #expect(file.state == file.outcome, "the store said \(file.state ?? "nothing") when the file finished \(file.outcome)")
            if file.outcome == "done" { #expect(file.rows > 0, "a finished file's rows were not in the table yet") }
        }
    }
}
