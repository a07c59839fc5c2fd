import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

/// One dialect case: the file text as written, the header and rows a correct reader yields.
struct DialectCase: Sendable, CustomTestStringConvertible {
    var name: String
    var delimiter: UInt8 = UInt8(ascii: ",")
    var text: String
    var header: [String]
    var rows: [[String]]
    /// Physical line where each row starts.
    var lines: [Int]

    var testDescription: String { name }
}

let dialectCases: [DialectCase] = [
    DialectCase(name: "quoted field with commas",
                text: "a,b,c\n1,\"x,y,z\",3\n\",lead\",\"trail,\",\",\"\n",
                header: ["a", "b", "c"], rows: [["1", "x,y,z", "3"], [",lead", "trail,", ","]], lines: [2, 3]),
    DialectCase(name: "doubled quotes",
                text: "a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n\"\"\"start\",\"end\"\"\"\n",
                header: ["a", "b"], rows: [["say \"hi\"", "\""], ["\"start", "end\""]], lines: [2, 3]),
    DialectCase(name: "embedded LF kept verbatim",
                text: "a,b,c\n1,\"line1\nline2\n\nline4\",3\n5,6,7\n",
                header: ["a", "b", "c"], rows: [["1", "line1\nline2\n\nline4", "3"], ["5", "6", "7"]], lines: [2, 6]),
    DialectCase(name: "embedded CRLF kept verbatim in a CRLF file",
                text: "a,b,c\r\n1,\"l1\r\nl2\r\n\",3\r\n5,6,7\r\n",
                header: ["a", "b", "c"], rows: [["1", "l1\r\nl2\r\n", "3"], ["5", "6", "7"]], lines: [2, 5]),
    DialectCase(name: "embedded CRLF kept verbatim in an LF file",
                text: "a,b\n\"x\r\ny\",2\n3,4\n",
                header: ["a", "b"], rows: [["x\r\ny", "2"], ["3", "4"]], lines: [2, 4]),
    DialectCase(name: "empty fields",
                text: "a,b,c\n,,\n1,,\n,,3\n",
                header: ["a", "b", "c"], rows: [["", "", ""], ["1", "", ""], ["", "", "3"]], lines: [2, 3, 4]),
    DialectCase(name: "empty quoted fields",
                text: "a,b,c\n\"\",x,\"\"\n\"\",\"\",\"\"\n",
                header: ["a", "b", "c"], rows: [["", "x", ""], ["", "", ""]], lines: [2, 3]),
    DialectCase(name: "single empty quoted field on a line",
                text: "a\n\"\"\nz\n",
                header: ["a"], rows: [[""], ["z"]], lines: [2, 3]),
    DialectCase(name: "spaces around unquoted fields kept",
                text: "a,b\n x , y\t\n",
                header: ["a", "b"], rows: [[" x ", " y\t"]], lines: [2]),
    DialectCase(name: "UTF-8 multi-byte content",
                text: "name,city\nZoë,\"Köln, DE\"\n日本,東京\n",
                header: ["name", "city"], rows: [["Zoë", "Köln, DE"], ["日本", "東京"]], lines: [2, 3]),
    DialectCase(name: "semicolon delimiter",
                delimiter: UInt8(ascii: ";"),
                text: "a;b;c\n1,5;\"x;y\";\"q\"\"\"\n;;\n",
                header: ["a", "b", "c"], rows: [["1,5", "x;y", "q\""], ["", "", ""]], lines: [2, 3]),
    DialectCase(name: "semicolon delimiter, multi-line quoted field",
                delimiter: UInt8(ascii: ";"),
                text: "a;b\r\n\"one\r\ntwo\";2\r\n3;4\r\n",
                header: ["a", "b"], rows: [["one\r\ntwo", "2"], ["3", "4"]], lines: [2, 4]),
    DialectCase(name: "tab delimiter",
                delimiter: UInt8(ascii: "\t"),
                text: "a\tb\tc\n1\t\"x\ty\"\t3\n\t\t\n a \t,b,\t\"\"\n",
                header: ["a", "b", "c"], rows: [["1", "x\ty", "3"], ["", "", ""], [" a ", ",b,", ""]], lines: [2, 3, 4]),
]

@Suite struct QuotingTests {
    @Test(arguments: dialectCases)
    func dialect(_ testCase: DialectCase) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("dialect.csv", testCase.text)
        let reader = try await openReader(url, options: ReaderOptions(delimiter: testCase.delimiter))
        #expect(reader.header == testCase.header)
        let records = try readAll(reader)
        #expect(records.map(\.kind) == Array(repeating: .row, count: testCase.rows.count))
        #expect(records.map(\.strings) == testCase.rows)
        #expect(records.map(\.line) == testCase.lines)
        // Fields come back byte for byte (no normalisation of line ends inside quotes).
        #expect(records.map(\.fields) == testCase.rows.map { $0.map { Array($0.utf8) } })
    }

    /// The same dialect cases read from gzip give the same records.
    @Test(arguments: dialectCases)
    func dialectGzip(_ testCase: DialectCase) async throws {
        let scratch = try Scratch()
        let plain = try scratch.write("dialect.csv", testCase.text)
        let packed = try scratch.write("dialect.csv.gz", gzip(bytes(testCase.text)))
        let options = ReaderOptions(delimiter: testCase.delimiter)
        let fromPlain = try await readAll(openReader(plain, options: options))
        let reader = try await openReader(packed, options: options)
        #expect(reader.header == testCase.header)
        #expect(try readAll(reader) == fromPlain)
    }

    /// Quoting a field that needs no quoting yields the same value.
    @Test func quotingIsTransparent() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("q.csv", "a,b,c\n\"1\",\"two\",\"\"\n1,two,\n")
        let records = try await readAll(openReader(url))
        #expect(records.count == 2)
        #expect(records.first?.strings == ["1", "two", ""])
        #expect(records.first?.strings == records.last?.strings)
    }

    /// With `;` as delimiter, a comma is ordinary data; with `,`, a semicolon is.
    @Test func delimiterIsHonoured() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("d.csv", "a;b,c\n1;2,3\n")
        let semicolon = try await openReader(url, options: ReaderOptions(delimiter: UInt8(ascii: ";")))
        #expect(semicolon.header == ["a", "b,c"])
        #expect(try readAll(semicolon).map(\.strings) == [["1", "2,3"]])
        let comma = try await openReader(url)
        #expect(comma.header == ["a;b", "c"])
        #expect(try readAll(comma).map(\.strings) == [["1;2", "3"]])
    }

    /// Every record's `raw` is exactly the text it was read from, line end included.
    @Test func rawIsTheRecordText() async throws {
        let scratch = try Scratch()
        var fixture = Fixture(header: ["a", "b"])
        fixture.rawRow("1,\"x,\"\"y\"\"\"\n", fields: ["1", "x,\"y\""])
        fixture.rawRow("2,\"multi\r\nline\"\r\n", fields: ["2", "multi\r\nline"])
        fixture.rawRow(",\n", fields: ["", ""])
        let url = try scratch.write("raw.csv", fixture.bytes)
        expectSame(try await readAll(openReader(url)), fixture.rows, "raw text")
    }
}
