import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

/// Blank lines: skipped and counted (`blank_lines: skip`), or read as a record of one empty
/// field (`record`); either way `_row` keeps every row's place in the file.
@Suite struct BlankLineTests {
    /// Reads every record, and the resume point the reader reports at the end.
    func readWithEnd(_ reader: any RecordReader) throws -> (records: [Record], end: ResumePoint) {
        var row = RawRow()
        var records: [Record] = []
        while true {
            switch try reader.next(into: &row) {
            case .end: return (records, row.next)
            case .row: records.append(Record(row, .row))
            case .malformed(let reason): records.append(Record(row, .malformed(reason)))
            }
        }
    }

    func options(_ policy: BlankLinePolicy) -> ReaderOptions {
        var options = ReaderOptions()
        options.blankLines = policy
        return options
    }

    @Test(arguments: [8, 13, 256 * 1024])
    func skippedLinesAreCountedUpToTheEnd(chunk: Int) throws {
        let scratch = try Scratch()
        let url = try scratch.write("b.csv", "id\n1\n\n2\n\r\n\n")
        let (records, end) = try readWithEnd(openSmall(url, gzip: false, chunk: chunk))
        #expect(records.map(\.strings) == [["1"], ["2"]])
        #expect(records.map(\.line) == [2, 4])
        #expect(records.map(\.next.rowNumber) == [1, 3], "a row's _row is its place, blank lines included")
        #expect(records.map(\.next.blankLinesBefore) == [0, 1])
        // Lines in = rows read + blank lines skipped + header.
        #expect(end == ResumePoint(offset: 11, line: 7, rowsBefore: 2, blankLinesBefore: 3))
    }

    @Test(arguments: [8, 13, 256 * 1024])
    func recordModeReadsOneEmptyField(chunk: Int) throws {
        let scratch = try Scratch()
        let url = try scratch.write("b.csv", "id\n1\n\n2\r\n\r\n")
        let (records, end) = try readWithEnd(openSmall(url, gzip: false, chunk: chunk, options: options(.record)))
        #expect(records.map(\.strings) == [["1"], [""], ["2"], [""]])
        #expect(records.map(\.kind) == [.row, .row, .row, .row])
        #expect(records.map(\.line) == [2, 3, 4, 5])
        #expect(records.map(\.rawText) == ["1\n", "\n", "2\r\n", "\r\n"])
        #expect(records.map(\.next.rowNumber) == [1, 2, 3, 4])
        #expect(end.blankLinesBefore == 0)
        #expect(end.rowsBefore == 4)
    }

    /// A header cannot be blank: blank lines before it are skipped in either mode.
    @Test(arguments: [BlankLinePolicy.skip, .record])
    func blankLinesBeforeTheHeaderAreSkipped(policy: BlankLinePolicy) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("b.csv", "\n\nid\n7\n")
        let reader = try await openReader(url, options: options(policy))
        #expect(reader.header == ["id"])
        let (records, end) = try readWithEnd(reader)
        #expect(records.map(\.strings) == [["7"]])
        #expect(records.map(\.line) == [4])
        #expect(records.map(\.next.rowNumber) == [3])
        #expect(end.blankLinesBefore == 2)
    }

    /// `_row` numbers are the same in both modes, so switching `blank_lines` never renumbers rows.
    @Test func rowNumbersDoNotDependOnTheMode() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("b.csv", "id\n1\n\n\n2\n\n3\n")
        let skipped = try readWithEnd(await openReader(url, options: options(.skip))).records
        let recorded = try readWithEnd(await openReader(url, options: options(.record))).records
        #expect(skipped.map(\.next.rowNumber) == [1, 4, 6])
        #expect(recorded.filter { $0.strings != [""] }.map(\.next.rowNumber) == [1, 4, 6])
    }

    /// A resume point carries the blank lines before it, so rows after a resume keep their `_row`.
    @Test(arguments: [false, true])
    func resumingKeepsTheCount(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let text = "id\n1\n\n2\n\n\n3\n\n"
        let url = gzipped ? try scratch.write("b.csv.gz", gzip(bytes(text))) : try scratch.write("b.csv", text)
        let (all, end) = try readWithEnd(await openReader(url))
        #expect(all.map(\.next.rowNumber) == [1, 3, 6])
        for (index, record) in all.enumerated() {
            let (tail, tailEnd) = try readWithEnd(await openReader(url, resume: record.next))
            #expect(tail == Array(all[(index + 1)...]), "resuming after row \(index + 1)")
            #expect(tailEnd == end)
        }
        #expect(end.blankLinesBefore == 4)
    }
}
