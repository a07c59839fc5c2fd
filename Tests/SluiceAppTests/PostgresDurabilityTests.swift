import Foundation
import SluiceCore
@testable import SluicePostgres
import Testing

/// What the PostgreSQL store must not inherit from a server or role: commits that are
/// acknowledged before they are durable, and names the server would cut.
@Suite struct PostgresDurabilityTests: PostgresScenarioTests {
    @Test func commitsAreDurableEvenForARoleWhoseDefaultIsNot() throws {
        let server = try PostgresServer()
        #expect(try server.psql("""
            CREATE ROLE lazy LOGIN; GRANT ALL ON SCHEMA public TO lazy; ALTER ROLE lazy SET synchronous_commit = off
            """).status == 0)
        // The role's default really is off: a plain session of it says so.
        let plain = try server.psql("SHOW synchronous_commit", user: "lazy")
        #expect(plain.output.trimmingCharacters(in: .whitespacesAndNewlines) == "off")

        let connection = try PostgresConnection(PostgresSettings(host: server.socketFolder, database: "postgres", user: "lazy"))
        let setting = try connection.query("SHOW synchronous_commit")
        #expect(setting.string(0, 0) == "on")
    }

    @Test func twoLongTableNamesThatShareABeginningGetIndexesOfTheirOwn() throws {
        let dir = try TemporaryDirectory(), server = try PostgresServer()
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 1, size: 2_000)
        let common = String(repeating: "t", count: 60)
        for table in [common + "one", common + "two"] {
            let run = try runBinary(arguments("run", dir, server, ["load.table=\(table)"]))
            #expect(run.status == 0 || run.status == 3, "\(table): \(run.stderr)")
        }
        let indexes = try rows(server, "SELECT tablename, indexname FROM pg_indexes WHERE indexname LIKE '%_by_file' AND tablename LIKE 'ttt%'")
        #expect(indexes.count == 2)
        #expect(Set(indexes.map { $0[1] }).count == 2, "\(indexes)")
        #expect(indexes.allSatisfy { ($0[1]?.utf8.count ?? 99) <= 63 })
    }

    @Test func theIndexNameIsTheUsualOneWhenItFits() {
        #expect(PostgresWarehouse.fileIndexName(of: "staging_orders") == "staging_orders_by_file")
        let long = String(repeating: "é", count: 31) + "x"
        let name = PostgresWarehouse.fileIndexName(of: long)
        #expect(name.utf8.count <= 63 && name.hasSuffix("_by_file"))
        #expect(name != PostgresWarehouse.fileIndexName(of: String(repeating: "é", count: 31) + "y"))
    }
}
