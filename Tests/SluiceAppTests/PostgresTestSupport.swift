import Foundation
import SluiceCore
@testable import SluicePostgres
import Testing

/// The business columns and lineage as both stores write them as text.
let postgresColumns = """
        order_id, sku, product_name, category, quantity, price::text, currency, order_date::text,
        to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), in_stock::int, notes, feed, _supplier, _file, _row
    """
let sqliteColumns = """
        order_id, sku, product_name, category, quantity, printf('%.2f', price), currency, order_date, updated_at, in_stock, notes,
        feed, _supplier, _file, _row
    """

/// What the PostgreSQL suites share: the reference pipeline pointed at a throwaway server, the
/// same run into SQLite to compare with, and the server's tables read back.
protocol PostgresScenarioTests {}

extension PostgresScenarioTests {
    /// The reference pipeline's settings pointed at the server, and whatever else is given.
    func arguments(_ command: String, _ dir: TemporaryDirectory, _ server: PostgresServer, _ extra: [String] = []) -> [String] {
        [command, referencePipeline, "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.kind=postgres",
         "--set", "load.host=\(server.socketFolder)", "--set", "load.database=postgres", "--set", "load.user=postgres"]
            + (command == "run" ? ["--progress", "0"] : []) + extra.flatMap { ["--set", $0] }
    }

    func sqliteArguments(_ dir: TemporaryDirectory, _ extra: [String] = []) -> [String] {
        ["run", referencePipeline, "--progress", "0", "--set", "source.root=\(dir.path("suppliers"))",
         "--set", "load.database=\(dir.path("clean.sqlite"))"] + extra.flatMap { ["--set", $0] }
    }

    func rows(_ server: PostgresServer, _ sql: String) throws -> [[String?]] {
        let connection = try PostgresConnection(PostgresSettings(host: server.socketFolder, database: "postgres", user: "postgres"))
        let result = try connection.query(sql)
        return (0..<result.count).map { row in (0..<result.columnCount).map { result.string(row, $0) } }
    }


    func expectSameTables(sqlite: String, _ server: PostgresServer) throws {
        let expected = TableFingerprint(rows: try query(sqlite, "SELECT \(sqliteColumns) FROM staging_orders"))
        let actual = TableFingerprint(rows: try rows(server, "SELECT \(postgresColumns) FROM staging_orders"))
        #expect(expected.rows > 0)
        #expect(actual == expected, "PostgreSQL \(actual) vs SQLite \(expected)")
        let quarantine = "SELECT supplier, file, kind, line, byte_offset, row_number, reason FROM sluice_quarantine"
        #expect(TableFingerprint(rows: try rows(server, quarantine)) == TableFingerprint(rows: try query(sqlite, quarantine)))
        let states = "SELECT supplier, path, state, rows_read, rows_loaded, rows_quarantined FROM sluice_files"
        #expect(TableFingerprint(rows: try rows(server, states)) == TableFingerprint(rows: try query(sqlite, states)))
        let twice = try rows(server, "SELECT count(*) FROM (SELECT 1 FROM staging_orders GROUP BY _supplier, _file, _row HAVING count(*) > 1) t")
        #expect(twice.first?.first == "0", "rows loaded twice")
    }

    /// The most intervals open at one instant (an interval ending as another starts does not overlap it).
    func mostAtOnce(_ intervals: [(start: Double, end: Double)]) -> Int {
        let edges = intervals.flatMap { [($0.start, 1), ($0.end, -1)] }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var open = 0, most = 0
        for (_, change) in edges {
            open += change
            most = max(most, open)
        }
        return most
    }
}
