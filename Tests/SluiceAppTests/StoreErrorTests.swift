import Foundation
import SluiceApp
import SluiceCore
import SluiceSQLite
import Testing

/// Store failures say what kind they are, so the command line can say what to do.
@Suite struct StoreErrorTests {
    @Test func writingAStoreOpenedReadOnlyIsAReadOnlyError() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 1)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        _ = try await runPipeline(definition: definition, plan: plan)
        let store = try openWarehouse(definition, readOnly: true)
        let error = try #require(throws: StoreError.self) { try store.beginRun(at: 0) }
        #expect(error.code == .readOnly, "\(error.code): \(error)")
    }

    @Test func aFileThatIsNotADatabaseIsCorrupt() throws {
        let dir = try TemporaryDirectory()
        let database = dir.path("staging.sqlite")
        try Data(repeating: 0x41, count: 8_192).write(to: URL(fileURLWithPath: database))
        let error = try #require(throws: StoreError.self) {
            _ = try SQLiteWarehouse(path: database, pipeline: "p", table: "t")
        }
        #expect(error.code == .corrupt, "\(error.code): \(error)")
    }
}
