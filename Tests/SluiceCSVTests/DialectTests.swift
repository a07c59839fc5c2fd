import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

// MARK: - Helpers

private let semicolon = UInt8(ascii: ";")
private let tab = UInt8(ascii: "\t")
private let apostrophe = UInt8(ascii: "'")
private let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

private func dialect(_ delimiter: UInt8 = semicolon, quote: UInt8 = UInt8(ascii: "\""),
                     escape: QuoteEscape = .doubled, headerNames: [String]? = nil) -> ReaderOptions {
    var options = ReaderOptions(delimiter: delimiter)
    options.quote = quote
    options.escape = escape
    options.headerNames = headerNames
    return options
}

/// Lines joined by LF, with a final LF: raw strings keep backslashes readable.
private func lines(_ lines: String...) -> String { lines.map { $0 + "\n" }.joined() }

/// Reads through the public factory, or with a chosen chunk (pieces of lines) and splitter.
private func read(_ bytes: [UInt8], _ options: ReaderOptions, chunk: Int? = nil, splitsWholeLines: Bool? = nil,
                  resume: ResumePoint = .start) throws -> (header: [String], records: [Record]) {
    let reader: any RecordReader
    if let chunk {
        let csv = try CSVRecordReader(stream: MemoryByteStream(bytes), resume: resume, options: options, chunkSize: chunk)
        if let splitsWholeLines { csv.splitsWholeLines = splitsWholeLines }
        reader = csv
    } else {
        reader = try CSVReaderFactory().open(bytes: bytes, gzip: false, resume: resume, options: options)
    }
    return (reader.header, try readAll(reader))
}

private func read(_ text: String, _ options: ReaderOptions, chunk: Int? = nil,
                  splitsWholeLines: Bool? = nil) throws -> (header: [String], records: [Record]) {
    try read(Array(text.utf8), options, chunk: chunk, splitsWholeLines: splitsWholeLines)
}

/// A dialect case: the text as written and what a correct reader yields.
struct QuoteCase: Sendable, CustomTestStringConvertible {
    var name: String
    var delimiter = semicolon
    var quote = UInt8(ascii: "\"")
    var escape = QuoteEscape.doubled
    var text: String
    var header: [String]
    var rows: [[String]]
    /// Physical line where each row starts.
    var lines: [Int]

    var testDescription: String { name }
    var options: ReaderOptions { dialect(delimiter, quote: quote, escape: escape) }
}

/// Reads a case whole, in tiny pieces and, for doubled quotes, through libcsv alone: all must agree.
private func check(_ testCase: QuoteCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var paths: [(String, Int?, Bool?)] = [("factory", nil, nil), ("chunk 3", 3, nil), ("chunk 11", 11, nil)]
    if testCase.escape == .doubled { paths.append(("libcsv only", 5, false)) }
    for (label, chunk, whole) in paths {
        let (header, records) = try read(testCase.text, testCase.options, chunk: chunk, splitsWholeLines: whole)
        #expect(header == testCase.header, "\(label)", sourceLocation: sourceLocation)
        #expect(records.map(\.kind) == Array(repeating: .row, count: testCase.rows.count), "\(label): \(records)",
                sourceLocation: sourceLocation)
        #expect(records.map(\.fields) == testCase.rows.map { $0.map { Array($0.utf8) } }, "\(label)",
                sourceLocation: sourceLocation)
        #expect(records.map(\.line) == testCase.lines, "\(label)", sourceLocation: sourceLocation)
    }
}

// MARK: - A quote other than `"`

let otherQuoteCases: [QuoteCase] = [
    QuoteCase(name: "semicolon and apostrophe", quote: apostrophe,
              text: "a;b;c\n1;'x;y';'it''s'\n'two\nlines';'';\"plain\"\n",
              header: ["a", "b", "c"], rows: [["1", "x;y", "it's"], ["two\nlines", "", "\"plain\""]], lines: [2, 3]),
    QuoteCase(name: "tab and apostrophe, CRLF inside quotes", delimiter: tab, quote: apostrophe,
              text: "a\tb\r\n'x\ty'\t'say ''hi'''\r\n'l1\r\nl2\r\n'\t\"\r\n''''\t'\t'\r\n",
              header: ["a", "b"], rows: [["x\ty", "say 'hi'"], ["l1\r\nl2\r\n", "\""], ["'", "\t"]], lines: [2, 3, 6]),
    QuoteCase(name: "apostrophe-quoted header", quote: apostrophe,
              text: "'id';'na;me'\n1;'2\n'\n",
              header: ["id", "na;me"], rows: [["1", "2\n"]], lines: [2]),
]

@Suite struct OtherQuoteTests {
    @Test(arguments: otherQuoteCases)
    func fieldsQuotedWithTheGivenByte(_ testCase: QuoteCase) throws {
        try check(testCase)
    }

    /// The given quote is the one that cannot stand inside an unquoted field, on either path.
    @Test(arguments: [true, false])
    func aStrayQuoteIsMalformed(splitsWholeLines: Bool) throws {
        let text = "a;b\n1;x'y\n2;'z'w\n3;\"ok\"\n"
        let (_, records) = try read(text, dialect(quote: apostrophe), chunk: 4096, splitsWholeLines: splitsWholeLines)
        #expect(records.map(\.isRow) == [false, false, true])
        #expect(records.map(\.line) == [2, 3, 4])
        #expect(records.last?.strings == ["3", "\"ok\""])
    }

    @Test(arguments: [QuoteEscape.doubled, .backslash])
    func aDelimiterEqualToTheQuoteIsRefused(escape: QuoteEscape) {
        let error = #expect(throws: ReadError.self) {
            try read("a;b\n", dialect(semicolon, quote: semicolon, escape: escape))
        }
        #expect(error?.message == "the delimiter and the quote are the same byte")
    }

    @Test func aBackslashDelimiterIsRefusedWithBackslashEscapes() {
        #expect(throws: ReadError.self) {
            try read("a\\b\n", dialect(UInt8(ascii: "\\"), escape: .backslash))
        }
    }
}

// MARK: - Backslash escapes

let backslashCases: [QuoteCase] = [
    QuoteCase(name: "escaped quote", escape: .backslash,
              text: lines("a;b", #""say \"hi\"";x"#, #""\"";"\"\"""#),
              header: ["a", "b"], rows: [[#"say "hi""#, "x"], [#"""#, #""""#]], lines: [2, 3]),
    QuoteCase(name: "escaped backslash, inside quotes and out", escape: .backslash,
              text: lines("a;b", #""c:\\dir\\";c:\\dir"#, #""end\\";x\\"#),
              header: ["a", "b"], rows: [[#"c:\dir\"#, #"c:\dir"#], [#"end\"#, #"x\"#]], lines: [2, 3]),
    QuoteCase(name: "escaped delimiter outside quotes", escape: .backslash,
              text: lines("a;b", #"1\;5;2"#, #"\;;\;\;"#),
              header: ["a", "b"], rows: [["1;5", "2"], [";", ";;"]], lines: [2, 3]),
    QuoteCase(name: "other escapes kept as written", escape: .backslash,
              text: lines("a;b", #""a\nb\;c\t";x\ny\""#),
              header: ["a", "b"], rows: [[#"a\nb\;c\t"#, #"x\ny\""#]], lines: [2]),
    QuoteCase(name: "multi-line quoted field", escape: .backslash,
              text: lines("a;b;c", #"1;"first"#, #"second \"q\""#, #"third";z"#, "4;5;6"),
              header: ["a", "b", "c"], rows: [["1", "first\nsecond \"q\"\nthird", "z"], ["4", "5", "6"]], lines: [2, 5]),
    QuoteCase(name: "an escaped quote at a line end does not close the field", escape: .backslash,
              text: "a;b\r\n\"open \\\"\r\nstill\";x\r\n2;3\r\n",
              header: ["a", "b"], rows: [["open \"\r\nstill", "x"], ["2", "3"]], lines: [2, 4]),
    QuoteCase(name: "a backslash before a line end outside quotes stays, and the line ends", escape: .backslash,
              text: lines("a", #"x\"#, "y"),
              header: ["a"], rows: [[#"x\"#], ["y"]], lines: [2, 3]),
    QuoteCase(name: "empty fields", escape: .backslash,
              text: lines("a;b;c", #""";;"""#, ";;"),
              header: ["a", "b", "c"], rows: [["", "", ""], ["", "", ""]], lines: [2, 3]),
    QuoteCase(name: "apostrophe quote, tab delimiter", delimiter: tab, quote: apostrophe, escape: .backslash,
              text: lines("a\tb", #"'it\'s'\#t"dq""#, #"a\\#tb\#t'\\'"#),
              header: ["a", "b"], rows: [["it's", "\"dq\""], ["a\tb", #"\"#]], lines: [2, 3]),
    QuoteCase(name: "escaped header", escape: .backslash,
              text: lines(#""a\"b";c\;d"#, "1;2"),
              header: [#"a"b"#, "c;d"], rows: [["1", "2"]], lines: [2]),
]

@Suite struct BackslashEscapeTests {
    @Test(arguments: backslashCases)
    func escapesAreRead(_ testCase: QuoteCase) throws {
        try check(testCase)
    }

    /// A doubled quote is no escape here; strays are malformed and the next row reads on.
    @Test(arguments: [#""a""b";x"#, #"x"y;z"#, #""a"b;c"#, #""a" ;b"#])
    func badQuotingIsMalformed(_ bad: String) throws {
        for chunk in [3, 4096] {
            let (_, records) = try read(lines("a;b", bad, "4;5"), dialect(escape: .backslash), chunk: chunk)
            try #require(records.count == 2, "\(records)")
            #expect(records[0].reason != nil, "\(records[0])")
            #expect(records[0].rawText == bad + "\n")
            #expect(records[0].next == ResumePoint(offset: Int64(4 + bad.utf8.count + 1), line: 3, rowsBefore: 1))
            #expect(records[1].strings == ["4", "5"])
            #expect(records[1].line == 3)
        }
    }

    @Test(arguments: [3, 4096])
    func unterminatedQuoteAtTheEndIsMalformedWithItsLine(chunk: Int) throws {
        let text = "a;b\n1;2\n3;\"open \\\" still\n4;5\n\n6;7\n"
        let reader = try CSVRecordReader(stream: MemoryByteStream(bytes(text)), resume: .start,
                                         options: dialect(escape: .backslash), chunkSize: chunk)
        let records = try readAll(reader)
        try #require(records.count == 2, "\(records)")
        #expect(records[0].strings == ["1", "2"])
        let reason = try #require(records[1].reason)
        #expect(reason.contains("line 3"), "reason: \(reason)")
        #expect(records[1].line == 3)
        #expect(records[1].offset == 8)
        #expect(records[1].rawText == "3;\"open \\\" still\n4;5\n\n6;7\n")
        var row = RawRow()
        #expect(try reader.next(into: &row) == .end)
    }

    @Test func unterminatedQuoteOpenedOnALaterLineOfTheRecord() throws {
        let (_, records) = try read("a;b;c\n1;\"multi\nline\";\"never \\\"closed\nmore\n", dialect(escape: .backslash))
        try #require(records.count == 1)
        let reason = try #require(records[0].reason)
        #expect(reason.contains("line 3"), "reason: \(reason)")
        #expect(records[0].line == 2)
    }

    @Test func aLastRecordWithoutLineEnd() throws {
        let (_, records) = try read(#"a;b"# + "\n" + #"1;x\"#, dialect(escape: .backslash))
        #expect(records.map(\.strings) == [["1", #"x\"#]])
    }

    /// Text with no backslash and no doubled quote reads the same as through libcsv: rows, the
    /// malformed ones (whatever the wording of why), raw text, lines and resume points. (No
    /// `""` piece: after a quote left open it would be a doubled quote, which only libcsv reads.)
    @Test(arguments: [7, 64, 256 * 1024])
    func withoutEscapesItReadsAsLibcsv(chunk: Int) throws {
        var random = SplitMix64(seed: 7_702 &+ UInt64(chunk))
        let pieces = ["a", "bc", " ", "\t", "x y", "", "1.5", "é", "\"q\"", "\"a,b\"", "\"line\nbreak\"", "d\"e",
                      "\"x\"y", "\"x\" ", " \"x\"", "\"a\r\nb\"", "\"open", "\"a\rb\""]
        func normalized(_ records: [Record]) -> [Record] {
            records.map { record in
                var record = record
                if record.reason != nil { record.kind = .malformed("") }
                return record
            }
        }
        for round in 0..<300 {
            var text = "id,name,note\n"
            for _ in 0..<Int.random(in: 0..<12, using: &random) {
                let fields = (0..<Int.random(in: 1...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                text += fields.joined(separator: ",") + ["\n", "\r\n", "\r", "\n\n"].randomElement(using: &random)!
            }
            if Bool.random(using: &random) { text += "last,row" }
            let libcsv = try read(text, ReaderOptions(), chunk: chunk, splitsWholeLines: false).records
            let splitter = try read(text, dialect(UInt8(ascii: ","), escape: .backslash), chunk: chunk).records
            #expect(normalized(splitter) == normalized(libcsv), "round \(round): \(text.debugDescription)")
        }
    }

    // The record limits hold as for doubled quotes.

    @Test(arguments: [64, 256 * 1024])
    func aLineOfDelimitersIsOneMalformedRow(chunk: Int) throws {
        let wide = String(repeating: ";", count: 5_000) + "\n"
        let (_, got) = try read("a;b;c\n" + wide + "4;5;6\n", dialect(escape: .backslash), chunk: chunk)
        try #require(got.count == 2)
        #expect(got[0].reason == "more than 67 fields (the header has 3)")
        #expect(got[0].fields.count == 67)
        #expect(got[1].strings == ["4", "5", "6"])
        #expect(got[1].line == 3)
    }

    /// Skipping an over-long record honours `\"`: the quote stays open over the line end after it.
    @Test(arguments: [64, 256 * 1024])
    func anOverLongRecordIsSkippedToItsEnd(chunk: Int) throws {
        var options = dialect(escape: .backslash)
        // The field bound as high as the record's: the record's is met first, in any piece size.
        options.maxFieldBytes = 300
        options.maxRecordBytes = 300
        let long = String(repeating: "q", count: 350)
        let over = lines(#"1;"start"#, long + #" \";"#, #"end";x"#)
        let text = "a;b\n" + over + "5;6\n"
        let (_, got) = try read(text, options, chunk: chunk)
        try #require(got.count == 2, "\(got)")
        #expect(got[0].reason == "the record is longer than max_record_bytes (300)")
        #expect(got[0].rawText == over)
        #expect(got[0].next == ResumePoint(offset: Int64(4 + over.utf8.count), line: 5, rowsBefore: 1))
        #expect(got[1].strings == ["5", "6"])
        #expect(got[1].line == 5)
    }

    @Test(arguments: [16, 256 * 1024])
    func aRunawayFieldIsCaughtByTheFieldLimit(chunk: Int) throws {
        var options = dialect(escape: .backslash)
        options.maxFieldBytes = 50
        let runaway = lines("1;\"" + String(repeating: "n", count: 60), #"\";x"#, #"y";z"#)
        let text = "a;b\n" + runaway + "2;\"" + String(repeating: "m", count: 51) + "\"\n3;ok\n"
        let (_, got) = try read(text, options, chunk: chunk)
        #expect(got.map(\.reason) == ["field 2 is longer than max_field_bytes (50)",
                                      "field 2 is longer than max_field_bytes (50)", nil])
        #expect(got.map(\.line) == [2, 5, 6])
        #expect(got.first?.rawText == runaway)
    }
}

// MARK: - Round trip through backslash escaping

@Suite struct BackslashRoundTripTests {
    /// Writes a field as a supplier escaping with backslashes would: quoted when it holds a
    /// quote or a line end (or by chance), else with `\\` and `\;` outside quotes.
    private static func write(_ field: String, quoted: Bool) -> String {
        let needsQuotes = field.utf8.contains { $0 == 34 || $0 == 10 || $0 == 13 }
        let escaped = field.replacingOccurrences(of: "\\", with: "\\\\")
        if needsQuotes || quoted { return "\"" + escaped.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        return escaped.replacingOccurrences(of: ";", with: "\\;")
    }

    /// A random file and, computed independently of the reader, every row it must yield.
    private static func file(_ random: inout SplitMix64) -> (bytes: [UInt8], rows: [ExpectedRow]) {
        let alphabet = ["a", "b", "n", "é", ";", "\"", "\\", "\r", "\n", "\r\n", " ", "'", "\\n", "\\\""]
        var bytes = Array("a;b;c;d;e\n".utf8)
        var line = 2
        var rows: [ExpectedRow] = []
        for _ in 0..<Int.random(in: 0...15, using: &random) {
            let fields = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
            }
            // A lone empty unquoted field would be a blank line.
            let text = fields.map { write($0, quoted: fields == [""] || Int.random(in: 0..<4, using: &random) == 0) }
                .joined(separator: ";") + ["\n", "\r\n", "\r"].randomElement(using: &random)!
            let raw = Array(text.utf8)
            let (offset, startLine) = (Int64(bytes.count), line)
            bytes += raw
            line += Fixture.lineEnds(in: raw)
            rows.append(ExpectedRow(fields: fields.map { Array($0.utf8) }, line: startLine, offset: offset, raw: raw,
                                    next: ResumePoint(offset: Int64(bytes.count), line: line, rowsBefore: rows.count + 1)))
        }
        return (bytes, rows)
    }

    @Test func randomFieldsComeBackAsWritten() throws {
        var random = SplitMix64(seed: 92_114)
        let options = dialect(escape: .backslash)
        for round in 0..<250 {
            let (bytes, rows) = Self.file(&random)
            for chunk in [nil, 3, 17] as [Int?] {
                let (header, records) = try read(bytes, options, chunk: chunk)
                #expect(header == ["a", "b", "c", "d", "e"])
                expectSame(records, rows, "round \(round), chunk \(chunk.map(String.init) ?? "default"): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
            for index in rows.indices where index % 4 == 1 {
                let tail = try read(bytes, options, chunk: 17, resume: rows[index].next).records
                expectSame(tail, rows[(index + 1)...], "round \(round), resume after row \(index + 1)")
            }
        }
    }
}

// MARK: - Files without a header

@Suite struct HeaderlessTests {
    private static let names = ["id", "name"]
    private static let options = dialect(UInt8(ascii: ","), headerNames: names)

    @Test func theFirstLineIsData() throws {
        let (header, records) = try read("id,name\n2,\"b\nc\"\n3,d", Self.options)
        #expect(header == Self.names)
        #expect(records.map(\.strings) == [["id", "name"], ["2", "b\nc"], ["3", "d"]])
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records.map(\.offset) == [0, 8, 16])
        #expect(records.last?.next == ResumePoint(offset: 19, line: 4, rowsBefore: 3))
    }

    @Test(arguments: [false, true])
    func aBomIsStillSkipped(gzipped: Bool) throws {
        let content = bom + bytes("1,a\n2,b\n")
        let reader = try CSVReaderFactory().open(bytes: gzipped ? gzip(content) : content, gzip: gzipped, options: Self.options)
        let records = try readAll(reader)
        #expect(records.map(\.strings) == [["1", "a"], ["2", "b"]])
        #expect(records.map(\.offset) == [3, 7])
        #expect(records.map(\.line) == [1, 2])
    }

    @Test func anEmptyFileIsEmpty() {
        let error = #expect(throws: ReadError.self) { try read([], Self.options) }
        #expect(error?.kind == .empty)
    }

    /// Without a header to require, blank lines or a lone BOM are a file of no rows.
    @Test(arguments: [bom, bytes("\n\r\n")])
    func aFileOfNoRowsIsNoError(_ content: [UInt8]) throws {
        #expect(try read(content, Self.options).records.isEmpty)
    }

    @Test func blankLinesFollowThePolicyFromTheFirstLine() throws {
        var skip = Self.options
        skip.blankLines = .skip
        let skipped = try read("\n1,a\n", skip).records
        #expect(skipped.map(\.line) == [2])
        #expect(skipped.first?.next.blankLinesBefore == 1)
        var record = Self.options
        record.blankLines = .record
        #expect(try read("\n1,a\n", record).records.map(\.strings) == [[""], ["1", "a"]])
    }

    @Test func theFieldLimitCountsTheGivenNames() throws {
        let text = String(repeating: "x,", count: 65) + "x\n" + String(repeating: "y,", count: 66) + "y\n"
        let records = try read(text, Self.options).records
        #expect(records.map(\.reason) == [nil, "more than 66 fields (2 columns are named)"])
        #expect(records.first?.fields.count == 66)
    }

    /// Resuming anywhere gives the rows reading straight through gives from there on.
    @Test(arguments: [QuoteEscape.doubled, .backslash], [false, true])
    func resumingMidFileGivesTheRemainingRows(escape: QuoteEscape, withBOM: Bool) throws {
        var text = ""
        for index in 1...40 {
            let note = index % 3 == 0 ? "\"two\nlines \(index)\"" : (index % 5 == 0 ? "\"a,b\"" : "n\(index)")
            text += "\(index),\(note)" + (index % 4 == 0 ? "\r\n" : "\n")
            if index % 7 == 0 { text += "\n" }
        }
        let content = (withBOM ? bom : []) + bytes(text)
        var options = Self.options
        options.escape = escape
        let all = try read(content, options).records
        try #require(all.count == 40 && all.allSatisfy(\.isRow))
        #expect(all.first?.offset == (withBOM ? 3 : 0))
        #expect(all.first?.line == 1)
        #expect(try read(content, options, resume: .start).records == all)
        for index in all.indices {
            let fromNext = try read(content, options, chunk: 64, resume: all[index].next).records
            #expect(fromNext == Array(all[(index + 1)...]), "resume after row \(index + 1) at \(all[index].next)")
            // A row's own start: the blank lines before it lie before its first byte.
            let start = ResumePoint(offset: all[index].offset, line: all[index].line, rowsBefore: index,
                                    blankLinesBefore: all[index].next.blankLinesBefore)
            let fromStart = try read(content, options, resume: start).records
            #expect(fromStart == Array(all[index...]), "resume at row \(index + 1), offset \(start.offset)")
        }
    }
}
