import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

@Suite struct MalformedRowTests {
    @Test(arguments: [
        ("1,x\"y,3\n", "bare quote inside an unquoted field"),
        ("1,xy\",3\n", "bare quote at the end of an unquoted field"),
        ("1,2,3\"\n", "bare quote before the line end"),
        ("1,\"x\"y,3\n", "text after a closing quote"),
        ("1,\"x\" ,3\n", "space after a closing quote"),
    ])
    func badQuoteThenNextRowParses(_ bad: String, _ label: String) async throws {
        let scratch = try Scratch()
        let text = "a,b,c\n" + bad + "4,5,6\n7,\"8,9\",10\n"
        let url = try scratch.write("bad.csv", text)
        let records = try await readAll(openReader(url))
        try #require(records.count == 3, "\(label): \(records)")
        #expect(records[0].reason != nil, "\(label): expected .malformed, got \(records[0])")
        #expect(records[0].raw == bytes(bad), "\(label)")
        #expect(records[0].line == 2)
        #expect(records[0].offset == 6)
        let after = Int64(6 + bad.utf8.count)
        #expect(records[0].next == ResumePoint(offset: after, line: 3, rowsBefore: 1))
        #expect(records[1].kind == .row)
        #expect(records[1].strings == ["4", "5", "6"])
        #expect(records[1].line == 3)
        #expect(records[1].offset == after)
        #expect(records[1].next == ResumePoint(offset: after + 6, line: 4, rowsBefore: 2))
        #expect(records[2].kind == .row)
        #expect(records[2].strings == ["7", "8,9", "10"])
    }

    @Test func badQuoteInCRLFFileKeepsRawLineEnd() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b\r\n1,x\"y\r\n2,3\r\n")
        let records = try await readAll(openReader(url))
        try #require(records.count == 2)
        #expect(records[0].reason != nil)
        #expect(records[0].rawText == "1,x\"y\r\n")
        #expect(records[1].kind == .row)
        #expect(records[1].strings == ["2", "3"])
        #expect(records[1].line == 3)
        #expect(records[1].offset == 12)
    }

    @Test func badQuoteInCROnlyFile() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b\r1,x\"y\r2,3\r")
        let records = try await readAll(openReader(url))
        try #require(records.count == 2)
        #expect(records[0].reason != nil)
        #expect(records[0].rawText == "1,x\"y\r")
        #expect(records[1].strings == ["2", "3"])
        #expect(records[1].line == 3)
        #expect(records[1].offset == 10)
    }

    /// An error on the second line of a multi-line record: raw holds both lines, the next record parses.
    @Test func badQuoteInMultiLineRecord() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b,c\n1,\"ab\ncd\"x,3\n4,5,6\n")
        let records = try await readAll(openReader(url))
        try #require(records.count == 2)
        #expect(records[0].reason != nil)
        #expect(records[0].rawText == "1,\"ab\ncd\"x,3\n")
        #expect(records[0].line == 2)
        #expect(records[0].next == ResumePoint(offset: 19, line: 4, rowsBefore: 1))
        #expect(records[1].strings == ["4", "5", "6"])
        #expect(records[1].line == 4)
        #expect(records[1].offset == 19)
    }

    @Test func consecutiveMalformedRows() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b\n1,x\"\n\"q\"z,2\n3,y\"y\n4,ok\n")
        let records = try await readAll(openReader(url))
        #expect(records.map(\.isRow) == [false, false, false, true])
        #expect(records.map(\.line) == [2, 3, 4, 5])
        #expect(records.map(\.next.rowsBefore) == [1, 2, 3, 4])
        #expect(records.last?.strings == ["4", "ok"])
    }

    @Test func badQuoteOnLastLineWithoutNewline() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b\n1,2\n3,x\"y")
        let reader = try await openReader(url)
        let records = try readAll(reader)
        try #require(records.count == 2)
        #expect(records[0].strings == ["1", "2"])
        #expect(records[1].reason != nil)
        #expect(records[1].rawText == "3,x\"y")
        #expect(records[1].line == 3)
        var row = RawRow()
        #expect(try reader.next(into: &row) == .end)
    }

    /// After a malformed row the fields of a good row contain nothing left over from the bad one.
    @Test func noLeftoverFieldsAfterMalformed() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b,c\n\"partial,field\"x,y,z\n1,2,3\n")
        let records = try await readAll(openReader(url))
        try #require(records.count == 2)
        #expect(records[1].fields == [bytes("1"), bytes("2"), bytes("3")])
    }

    @Test func unterminatedQuoteAtEOF() async throws {
        let scratch = try Scratch()
        let text = "a,b\n1,2\n3,\"open\n4,5\n\n6,7\n"
        let url = try scratch.write("open.csv", text)
        let reader = try await openReader(url)
        let records = try readAll(reader)
        try #require(records.count == 2)
        #expect(records[0].strings == ["1", "2"])
        let reason = try #require(records[1].reason, "expected .malformed, got \(records[1])")
        #expect(reason.contains("line 3"), "reason: \(reason)")
        #expect(records[1].line == 3)
        #expect(records[1].offset == 8)
        #expect(records[1].rawText == "3,\"open\n4,5\n\n6,7\n")
        var row = RawRow()
        #expect(try reader.next(into: &row) == .end)
    }

    @Test func unterminatedQuoteAtEOFWithoutNewline() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("open.csv", "a,b\n\n3,\"open")
        let records = try await readAll(openReader(url))
        try #require(records.count == 1)
        let reason = try #require(records[0].reason)
        #expect(reason.contains("line 3"), "reason: \(reason)")
        #expect(records[0].rawText == "3,\"open")
        #expect(records[0].line == 3)
    }

    @Test func unterminatedQuoteAtEOFGzip() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("open.csv.gz", gzip(bytes("a,b\n1,2\n3,\"open\n4,5\n")))
        let records = try await readAll(openReader(url))
        try #require(records.count == 2)
        let reason = try #require(records[1].reason)
        #expect(reason.contains("line 3"), "reason: \(reason)")
    }

    /// The record starts on line 2, its second field's quote closes on line 3, and the third field's
    /// quote opens on line 3 and never closes: the reason must name line 3, where that quote opened.
    @Test func unterminatedQuoteOpenedOnALaterLineOfTheRecord() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("open.csv", "a,b,c\n1,\"multi\nline\",\"never closed\nmore\n")
        let records = try await readAll(openReader(url))
        try #require(records.count == 1)
        let reason = try #require(records[0].reason)
        #expect(records[0].line == 2)
        #expect(reason.contains("line 3"), "the unterminated quote opened on line 3; reason: \(reason)")
        #expect(!reason.contains("line 2"), "line 2 is where the record starts, its quotes there are closed; reason: \(reason)")
    }
}

/// Files whose last record has a quote that never closes, and the line that quote opened on.
struct OpenQuoteCase: Sendable, CustomTestStringConvertible {
    var text: String
    var rowLine: Int
    var quoteLine: Int
    var testDescription: String { text.debugDescription }
}

let openQuoteCases: [OpenQuoteCase] = [
    OpenQuoteCase(text: "a\n\"open\n", rowLine: 2, quoteLine: 2),
    OpenQuoteCase(text: "a,b\n1,2\n3,\"open\nmore\n\nlines", rowLine: 3, quoteLine: 3),
    OpenQuoteCase(text: "a,b,c\n1,\"multi\nline\",\"never closed\nmore\n", rowLine: 2, quoteLine: 3),
    OpenQuoteCase(text: "a,b,c,d\n1,\"a\nb\nc\",\"d\ne\",\"open\n", rowLine: 2, quoteLine: 5),
    OpenQuoteCase(text: "a,b,c\r\n1,\"x\r\ny\",\"z\r\nw", rowLine: 2, quoteLine: 3),
    OpenQuoteCase(text: "a,b\r1,\"x\ry\",\"\"\"still open\r", rowLine: 2, quoteLine: 3),
    OpenQuoteCase(text: "a,b\n\n\n1,\"x \"\" y\n\"\"\n", rowLine: 4, quoteLine: 4),
]

@Suite struct OpenQuoteTests {
    @Test(arguments: openQuoteCases)
    func reasonNamesTheLineTheQuoteOpenedOn(_ testCase: OpenQuoteCase) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("open.csv", testCase.text)
        var readers: [(String, any RecordReader)] = [("factory", try await openReader(url))]
        for chunk in [2, 3, 5, 16] {
            readers.append(("chunk \(chunk)", try openSmall(url, gzip: false, chunk: chunk)))
        }
        for (label, reader) in readers {
            let records = try readAll(reader)
            let last = try #require(records.last, "\(label): no records")
            let reason = try #require(last.reason, "\(label): expected .malformed, got \(last)")
            #expect(reason.contains("line \(testCase.quoteLine) "), "\(label): reason: \(reason)")
            #expect(last.line == testCase.rowLine, "\(label)")
            #expect(last.raw == bytes(testCase.text).suffix(from: Int(last.offset)).map { $0 }, "\(label)")
        }
    }
}

@Suite struct FieldLimitTests {
    @Test(arguments: [1, 2, 3])
    func oversizedFieldIsMalformedAndNamed(field: Int) async throws {
        let scratch = try Scratch()
        var values = ["a", "b", "c"]
        values[field - 1] = String(repeating: "z", count: 11)
        let bad = values.joined(separator: ",") + "\n"
        let url = try scratch.write("big.csv", "h1,h2,h3\n" + bad + "1,2,3\n")
        let records = try await readAll(openReader(url, options: ReaderOptions(maxFieldBytes: 10)))
        try #require(records.count == 2)
        let reason = try #require(records[0].reason, "expected .malformed, got \(records[0])")
        #expect(reason.contains("field \(field)"), "reason: \(reason)")
        #expect(records[0].rawText == bad)
        #expect(records[0].line == 2)
        #expect(records[0].next == ResumePoint(offset: Int64(9 + bad.utf8.count), line: 3, rowsBefore: 1))
        #expect(records[1].kind == .row)
        #expect(records[1].strings == ["1", "2", "3"])
        #expect(records[1].line == 3)
    }

    @Test func fieldExactlyAtTheLimitIsAccepted() async throws {
        let scratch = try Scratch()
        let ten = String(repeating: "q", count: 10)
        let url = try scratch.write("edge.csv", "h1,h2\n\(ten),\"\(ten)\"\n")
        let records = try await readAll(openReader(url, options: ReaderOptions(maxFieldBytes: 10)))
        #expect(records.map(\.kind) == [.row])
        #expect(records.first?.strings == [ten, ten])
    }

    @Test func oversizedQuotedMultiLineField() async throws {
        let scratch = try Scratch()
        let big = "line one\nline two\r\nline three, with comma"
        let url = try scratch.write("mq.csv", "h1,h2\nok,\"\(big)\"\nnext,row\n")
        let records = try await readAll(openReader(url, options: ReaderOptions(maxFieldBytes: 16)))
        try #require(records.count == 2)
        let reason = try #require(records[0].reason)
        #expect(reason.contains("field 2"), "reason: \(reason)")
        #expect(records[1].strings == ["next", "row"])
        #expect(records[1].line == 5)
    }

    /// Only the first oversized field is named; the later good row is unaffected.
    @Test func twoOversizedFieldsNameTheFirst() async throws {
        let scratch = try Scratch()
        let long = String(repeating: "w", count: 50)
        let url = try scratch.write("two.csv", "h1,h2,h3\nok,\(long),\(long)\nx,y,z\n")
        let records = try await readAll(openReader(url, options: ReaderOptions(maxFieldBytes: 20)))
        try #require(records.count == 2)
        let reason = try #require(records[0].reason)
        #expect(reason.contains("field 2"), "reason: \(reason)")
        #expect(records[1].strings == ["x", "y", "z"])
    }

    /// A field above the default limit (1 MiB) in a real-sized file, through the factory.
    @Test func oversizedFieldWithDefaultLimit() async throws {
        let scratch = try Scratch()
        let huge = String(repeating: "h", count: (1 << 20) + 1)
        let url = try scratch.write("huge.csv", "a,b\n1,\(huge)\n2,small\n")
        let records = try await readAll(openReader(url))
        try #require(records.count == 2)
        let reason = try #require(records[0].reason)
        #expect(reason.contains("field 2"), "reason: \(reason)")
        // The quarantine keeps the start of the row, up to max_field_bytes.
        #expect(records[0].raw.count == 1 << 20)
        #expect(records[0].raw.starts(with: Array("1,hhh".utf8)))
        #expect(records[1].strings == ["2", "small"])
        #expect(records[1].line == 3)
        #expect(records[1].offset == Int64(4 + 3 + huge.utf8.count))
    }
}

@Suite struct OpenErrorTests {
    @Test(arguments: [false, true])
    func missingFileIsNotFound(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let url = scratch.url.appendingPathComponent(gzipped ? "missing.csv.gz" : "missing.csv")
        let error = await #expect(throws: ReadError.self) { try await openReader(url, gzip: gzipped) }
        #expect(error?.kind == .notFound)
    }

    @Test(arguments: [false, true])
    func directoryIsAReadError(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let directory = scratch.url.appendingPathComponent(gzipped ? "dir.csv.gz" : "dir.csv", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let error = await #expect(throws: ReadError.self) { try await openReader(directory, gzip: gzipped) }
        #expect(error != nil && error?.kind != .notFound, "got \(String(describing: error))")
    }
}
