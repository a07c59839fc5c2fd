import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

/// A file given as pieces; offsets are sums of piece lengths, line numbers are written out by hand.
struct LineCase: Sendable, CustomTestStringConvertible {
    enum Piece: Sendable {
        /// A blank line (skipped by the reader).
        case blank(String)
        /// A record: its text (line end included), fields, starting line, and the line `next` must name.
        case row(String, [String], line: Int, nextLine: Int)
    }

    var name: String
    var header: String
    var pieces: [Piece]

    var testDescription: String { name }

    var text: String {
        header + pieces.map {
            switch $0 {
            case .blank(let text): text
            case .row(let text, _, _, _): text
            }
        }.joined()
    }

    /// What the reader must report, offsets summed from the pieces.
    var expected: [ExpectedRow] {
        var offset = Int64(header.utf8.count)
        var rows: [ExpectedRow] = []
        var blankLines = 0
        for piece in pieces {
            switch piece {
            case .blank(let text):
                offset += Int64(text.utf8.count)
                blankLines += Fixture.lineEnds(in: Array(text.utf8))
            case .row(let text, let fields, let line, let nextLine):
                let start = offset
                offset += Int64(text.utf8.count)
                rows.append(ExpectedRow(fields: fields.map { Array($0.utf8) }, line: line, offset: start,
                                        raw: Array(text.utf8),
                                        next: ResumePoint(offset: offset, line: nextLine, rowsBefore: rows.count + 1,
                                                          blankLinesBefore: blankLines)))
            }
        }
        return rows
    }
}

let lineCases: [LineCase] = [
    LineCase(name: "LF", header: "h1,h2\n", pieces: [
        .row("1,2\n", ["1", "2"], line: 2, nextLine: 3),
        .row("3,4\n", ["3", "4"], line: 3, nextLine: 4),
    ]),
    LineCase(name: "CRLF", header: "h1,h2\r\n", pieces: [
        .row("1,2\r\n", ["1", "2"], line: 2, nextLine: 3),
        .row("3,4\r\n", ["3", "4"], line: 3, nextLine: 4),
    ]),
    LineCase(name: "CR only", header: "h1,h2\r", pieces: [
        .row("1,2\r", ["1", "2"], line: 2, nextLine: 3),
        .row("3,4\r", ["3", "4"], line: 3, nextLine: 4),
        .row("5,6\r", ["5", "6"], line: 4, nextLine: 5),
    ]),
    LineCase(name: "mixed LF, CRLF and CR", header: "h1,h2\r\n", pieces: [
        .row("1,2\n", ["1", "2"], line: 2, nextLine: 3),
        .row("3,4\r", ["3", "4"], line: 3, nextLine: 4),
        .row("5,6\r\n", ["5", "6"], line: 4, nextLine: 5),
        .row("7,8\n", ["7", "8"], line: 5, nextLine: 6),
    ]),
    LineCase(name: "no trailing newline", header: "h1,h2\n", pieces: [
        .row("1,2\n", ["1", "2"], line: 2, nextLine: 3),
        .row("3,4", ["3", "4"], line: 3, nextLine: 3),
    ]),
    LineCase(name: "no trailing newline, CRLF file, quoted last field", header: "h1,h2\r\n", pieces: [
        .row("1,2\r\n", ["1", "2"], line: 2, nextLine: 3),
        .row("3,\"x\r\ny\"", ["3", "x\r\ny"], line: 3, nextLine: 4),
    ]),
    LineCase(name: "blank lines between rows are skipped", header: "h1,h2\n", pieces: [
        .blank("\n"),
        .row("1,2\n", ["1", "2"], line: 3, nextLine: 4),
        .blank("\r\n"),
        .blank("\n"),
        .row("3,4\n", ["3", "4"], line: 6, nextLine: 7),
        .blank("\n"),
        .blank("\n"),
    ]),
    LineCase(name: "blank CR-only lines", header: "h\r", pieces: [
        .blank("\r"),
        .row("1\r", ["1"], line: 3, nextLine: 4),
        .blank("\r"),
        .blank("\r"),
        .row("2\r", ["2"], line: 6, nextLine: 7),
    ]),
    LineCase(name: "rows spanning lines", header: "h1,h2\n", pieces: [
        .row("1,\"a\nb\"\n", ["1", "a\nb"], line: 2, nextLine: 4),
        .row("2,\"c\r\nd\r\ne\"\r\n", ["2", "c\r\nd\r\ne"], line: 4, nextLine: 7),
        .blank("\n"),
        .row("\"\n\n\",x\n", ["\n\n", "x"], line: 8, nextLine: 11),
        .row("3,x\n", ["3", "x"], line: 11, nextLine: 12),
    ]),
    LineCase(name: "lone CR inside quotes is a physical line end", header: "h1,h2\n", pieces: [
        .row("1,\"a\rb\"\n", ["1", "a\rb"], line: 2, nextLine: 4),
        .row("2,y\n", ["2", "y"], line: 4, nextLine: 5),
    ]),
    LineCase(name: "blank lines inside a quoted field are data", header: "h\n", pieces: [
        .row("\"a\n\n\r\n\nb\"\n", ["a\n\n\r\n\nb"], line: 2, nextLine: 7),
        .row("c\n", ["c"], line: 7, nextLine: 8),
    ]),
]

@Suite struct LineEndTests {
    @Test(arguments: lineCases)
    func positions(_ testCase: LineCase) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("lines.csv", testCase.text)
        let reader = try await openReader(url)
        let records = try readAll(reader)
        expectSame(records, testCase.expected, testCase.name)
    }

    /// Resuming from each row's `next` gives exactly the rows after it.
    @Test(arguments: lineCases)
    func resumeFromEveryRow(_ testCase: LineCase) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("lines.csv", testCase.text)
        let all = try await readAll(openReader(url))
        for (index, record) in all.enumerated() {
            let tail = try await readAll(openReader(url, resume: record.next))
            #expect(tail == Array(all[(index + 1)...]), "resuming after row \(index + 1) at \(record.next)")
        }
    }

    /// The generated fixture (every line-end style, multi-line rows, blank lines) read in one go.
    @Test func generatedFixtureMatches() async throws {
        let scratch = try Scratch()
        let fixture = makeFixture(rows: 400, seed: 7, loneCR: true)
        let url = try scratch.write("gen.csv", fixture.bytes)
        let reader = try await openReader(url)
        #expect(reader.header == fixture.header)
        expectSame(try readAll(reader), fixture.rows, "generated fixture")
    }

    /// `next(into:)` after `.end` keeps returning `.end`.
    @Test func endIsSticky() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("e.csv", "a\n1\n")
        let reader = try await openReader(url)
        var row = RawRow()
        #expect(try reader.next(into: &row) == .row)
        #expect(try reader.next(into: &row) == .end)
        #expect(try reader.next(into: &row) == .end)
    }
}
