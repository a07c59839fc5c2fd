import Testing
import SluiceCore
@testable import SluiceCSV

/// One record is bounded as one field is: a line far wider than the header or longer than
/// `max_record_bytes` is one malformed row, never stored whole, and the next record reads on.
@Suite struct RecordLimitTests {
    private func records(_ text: String, chunk: Int, splitsWholeLines: Bool,
                         options: ReaderOptions = ReaderOptions()) throws -> [Record] {
        let reader = try CSVRecordReader(stream: MemoryByteStream(Array(text.utf8)), resume: .start, options: options, chunkSize: chunk)
        reader.splitsWholeLines = splitsWholeLines
        return try readAll(reader)
    }

    static let paths: [(chunk: Int, splitsWholeLines: Bool)] = [(256 * 1024, true), (256 * 1024, false), (512, true), (64, false)]

    @Test(arguments: paths)
    func aLineOfDelimitersIsOneRowKeepingNoMoreFieldsThanTheBound(chunk: Int, splitsWholeLines: Bool) throws {
        let wide = String(repeating: ",", count: 5_000) + "\n"
        let text = "a,b,c\n1,2,3\n" + wide + "4,5,6\n"
        let got = try records(text, chunk: chunk, splitsWholeLines: splitsWholeLines)
        try #require(got.count == 3, "\(got)")
        #expect(got[1].reason == "more than 67 fields (the header has 3)")
        #expect(got[1].fields.count == 67, "fields past the bound are counted out, not stored")
        #expect(got[1].line == 3)
        #expect(got[1].offset == 12)
        #expect(got[1].rawText == wide)
        #expect(got[1].next == ResumePoint(offset: Int64(12 + wide.utf8.count), line: 4, rowsBefore: 2))
        #expect(got[2].strings == ["4", "5", "6"])
        #expect(got[2].line == 4)
    }

    /// A few stray delimiters stay a row, so validation reports the exact count.
    @Test(arguments: paths)
    func aFewExtraFieldsAreStillARow(chunk: Int, splitsWholeLines: Bool) throws {
        let text = "a,b,c\n" + String(repeating: "x,", count: 66) + "x\n"
        let got = try records(text, chunk: chunk, splitsWholeLines: splitsWholeLines)
        #expect(got.map(\.kind) == [.row])
        #expect(got.first?.fields.count == 67)
    }

    @Test(arguments: paths)
    func aRecordLongerThanMaxRecordBytesIsSkippedToItsEnd(chunk: Int, splitsWholeLines: Bool) throws {
        let options = ReaderOptions(maxFieldBytes: 100, maxRecordBytes: 300)
        let field = String(repeating: "f", count: 90)
        // Exactly 300 bytes before its CRLF: loads. One more, or a record of 14 quoted two-line
        // fields (335 bytes), is skipped to its end: the latter from inside a quoted field.
        let atLimit = [field, field, field, String(repeating: "g", count: 27)].joined(separator: ",")
        let over = atLimit + "h"
        let ten = String(repeating: "q", count: 10)
        let quoted = Array(repeating: "\"\(ten)\n\(ten)\"", count: 14).joined(separator: ",")
        let text = "a,b,c,d\n" + atLimit + "\r\n" + over + "\r\n" + quoted + "\n5,6,7,8\n"
        let got = try records(text, chunk: chunk, splitsWholeLines: splitsWholeLines, options: options)
        try #require(got.count == 4, "\(got)")
        #expect(got[0].kind == .row)
        #expect(got.map(\.reason) == [nil, "the record is longer than max_record_bytes (300)",
                                      "the record is longer than max_record_bytes (300)", nil])
        #expect(got[1].rawText == over + "\r\n")
        #expect(got[2].rawText == quoted + "\n")
        #expect(got.map(\.line) == [2, 3, 4, 19])
        #expect(got[3].strings == ["5", "6", "7", "8"])
        #expect(got[3].offset == Int64(text.utf8.count - "5,6,7,8\n".utf8.count))
    }

    /// Raising `max_field_bytes` alone raises the record bound with it.
    @Test func theRecordBoundIsNeverBelowTheFieldBound() throws {
        let big = String(repeating: "z", count: 2_000)
        let got = try records("a,b\n1,\(big)\n", chunk: 512, splitsWholeLines: true,
                              options: ReaderOptions(maxFieldBytes: 4_000, maxRecordBytes: 100))
        #expect(got.map(\.kind) == [.row])
    }

    @Test func aHeaderWiderThanTheColumnLimitRejectsTheFile() throws {
        let limit = CSVRecordReader.maxHeaderFields
        let widest = (1...limit).map { "c\($0)" }.joined(separator: ",")
        let reader = try CSVRecordReader(stream: MemoryByteStream(Array((widest + "\n").utf8)), resume: .start, options: ReaderOptions())
        #expect(reader.header.count == limit)
        for chunk in [256 * 1024, 1024] {
            let text = Array((widest + ",one-more\n1\n").utf8)
            let error = #expect(throws: ReadError.self) {
                try CSVRecordReader(stream: MemoryByteStream(text), resume: .start, options: ReaderOptions(), chunkSize: chunk)
            }
            #expect(error?.kind == .malformedHeader)
            #expect(error?.message == "header: more than \(limit) fields (a header may have at most \(limit) columns)")
        }
    }

    @Test func aHeaderLongerThanMaxRecordBytesRejectsTheFile() throws {
        let text = Array(((1...500).map { "column\($0)" }.joined(separator: ",") + "\n1,2\n").utf8)
        let error = #expect(throws: ReadError.self) {
            try CSVRecordReader(stream: MemoryByteStream(text), resume: .start,
                                options: ReaderOptions(maxFieldBytes: 1_000, maxRecordBytes: 2_000), chunkSize: 1024)
        }
        #expect(error?.kind == .malformedHeader)
        #expect(error?.message == "header: the record is longer than max_record_bytes (2000)")
    }
}
