import Foundation
import SluiceCore
@testable import SluicePostgres
import Testing

/// The binary `COPY` writer against PostgreSQL's own text parser: random decimals, dates and
/// timestamps go in once in binary and once as text, and the server must read them the same.
@Suite struct PostgresEncodingTests {
    static let types: [LogicalType] = [.decimal(precision: 15, scale: 4), .decimal(precision: 12, scale: 2),
                                       .decimal(precision: 9, scale: 0), .date, .timestamp, .boolean, .integer, .text]

    func randomBatch(rows: Int, seed: UInt64) -> LoadBatch {
        var random = SplitMix64(seed: seed)
        func below(_ bound: UInt64) -> Int64 { Int64(random.next() % bound) }
        func signed(_ bound: UInt64) -> Int64 { below(2) == 0 ? below(bound) : -below(bound) }
        var table = RowBatch(columnCount: Self.types.count)
        for row in 0..<rows {
            table.cells.append(.real(Double(signed(1_000_000_000_000_000)) / 10_000))
            table.cells.append(.real(Double(signed(10_000_000_000)) / 100))
            table.cells.append(below(10) == 0 ? .null : .real(Double(signed(1_000_000_000))))
            let year = 1900 + below(200), month = 1 + below(12), day = 1 + below(28)
            let date = String(format: "%04lld-%02lld-%02lld", year, month, day)
            table.cells.append(Array(date.utf8).withUnsafeBufferPointer { table.appendText($0) })
            var time = date + (below(2) == 0 ? "T" : " ") + String(format: "%02lld:%02lld", below(24), below(60))
            if below(4) > 0 { time += String(format: ":%02lld", below(60)) }
            if below(2) == 0, time.count == 19 {
                time += "." + String((0..<(1 + below(9))).map { _ in Character(String(below(10))) })
            }
            if below(2) == 0 { time += "Z" }
            table.cells.append(Array(time.utf8).withUnsafeBufferPointer { table.appendText($0) })
            table.cells.append(.integer(below(2)))
            table.cells.append(.integer(signed(UInt64(Int64.max))))
            let text = "tab\there, back\\slash, line\nbreak, ünïcode \(row)"
            table.cells.append(Array(text.utf8).withUnsafeBufferPointer { table.appendText($0) })
            table.rowNumbers.append(Int64(row + 1))
        }
        return LoadBatch(supplier: "acme", file: "a\tfile.csv", rows: table, quarantine: [],
                         progress: FileProgress(fileID: 7, next: .start))
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func binaryValuesReadBackAsTheServerReadsTheirText(seed: UInt64) throws {
        let server = try PostgresServer()
        let connection = try PostgresConnection(PostgresSettings(host: server.socketFolder, database: "postgres", user: "postgres"))
        let columns = Self.types.enumerated().map { "c\($0.offset) \(PostgresWarehouse.sqlType($0.element))" }
        for name in ["from_binary", "from_text"] {
            try connection.execute("CREATE TABLE \(name) (\(columns.joined(separator: ", ")), _supplier text, _file text, _file_id bigint, _row bigint)")
        }
        let batch = randomBatch(rows: 2_000, seed: seed)
        var binary = CopyBinaryEncoder(types: Self.types)
        binary.reset()
        let appended = binary.append(batch)
        #expect(appended, "every value has a binary form")
        binary.finish()
        #expect(try connection.copy("COPY from_binary FROM STDIN (FORMAT binary)", binary.bytes) == 2_000)
        var text = CopyTextEncoder()
        text.append(batch)
        #expect(try connection.copy("COPY from_text FROM STDIN", text.bytes) == 2_000)
        let differing = try connection.query("""
            SELECT count(*) FROM from_binary b FULL JOIN from_text t USING (_row)
            WHERE (b.*)::text IS DISTINCT FROM (t.*)::text
            """)
        let example = try connection.query("""
            SELECT (b.*)::text, (t.*)::text FROM from_binary b FULL JOIN from_text t USING (_row)
            WHERE (b.*)::text IS DISTINCT FROM (t.*)::text LIMIT 1
            """)
        #expect(differing.int(0, 0) == 0, "binary \(example.string(0, 0) ?? "") vs text \(example.string(0, 1) ?? "")")
        let sample = try connection.query("SELECT c0::text, c4::text, c7, _file FROM from_binary ORDER BY _row LIMIT 1")
        #expect(sample.string(0, 3) == "a\tfile.csv")
        #expect(sample.string(0, 2)?.hasPrefix("tab\there") == true)
    }

    @Test func numericDigitsAreBaseTenThousandAroundThePoint() {
        func parts(_ value: Double, _ scale: Int) -> [Int]? {
            NumericDigits(value, scale: scale).map { $0.digits.map(Int.init) + [Int($0.weight), $0.negative ? 1 : 0] }
        }
        #expect(parts(1234567.891, 3) == [123, 4567, 8910, 1, 0], "digits, then weight and sign")
        #expect(parts(-0.05, 2) == [500, -1, 1])
        #expect(parts(10000, 0) == [1, 0, 1, 0])
        #expect(NumericDigits(.nan, scale: 2) == nil)
    }
}
