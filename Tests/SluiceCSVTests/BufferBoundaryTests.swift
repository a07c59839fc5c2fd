import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

/// Lines longer than the reader's 256 KiB buffer, through the factory with default options
/// (the fields stay under the 1 MiB field limit). The length `k` moves a line end onto, just
/// before and just after the last byte of a full buffer: line numbers, offsets and resume
/// points must not depend on where the buffer happens to end.
@Suite struct BufferBoundaryTests {
    /// The buffer holds file bytes [2, 2 + 256 KiB) once the 2-byte header has been consumed and the
    /// long line compacted to the front, so its last byte is file offset 256 KiB + 1.
    static let lastBufferByte = defaultChunk + 1

    /// CR-only line ends; the long row's CR lands before, on, or after the last buffer byte.
    @Test(arguments: [lastBufferByte - 3, lastBufferByte - 2, lastBufferByte - 1])
    func crOnlyLineEndAtBufferEnd(k: Int) async throws {
        let scratch = try Scratch()
        var fixture = Fixture(header: ["a"], eol: "\r")
        fixture.row([String(repeating: "x", count: k)], eol: "\r")
        fixture.row(["y"], eol: "\r")
        fixture.row(["z"], eol: "\r")
        let url = try scratch.write("cr.csv", fixture.bytes)
        let records = try await readAll(openReader(url))
        expectSame(records, fixture.rows, "CR-only, long line of \(k) bytes (CR at file offset \(2 + k))")
        #expect(records.map(\.line) == [2, 3, 4], "k = \(k)")
    }

    /// A lone CR inside a quoted field counts as a line end (see LineEndTests); it must count the
    /// same when it is the last byte of the buffer.
    @Test(arguments: [lastBufferByte - 4, lastBufferByte - 3, lastBufferByte - 2])
    func quotedLoneCRAtBufferEnd(k: Int) async throws {
        let scratch = try Scratch()
        var fixture = Fixture(header: ["a"])
        fixture.row([String(repeating: "x", count: k) + "\ry"])
        fixture.row(["z"])
        let url = try scratch.write("qcr.csv", fixture.bytes)
        let records = try await readAll(openReader(url))
        expectSame(records, fixture.rows, "quoted lone CR at file offset \(3 + k)")
        #expect(records.map(\.line) == [2, 4], "k = \(k)")
    }

    /// CRLF row end whose CR is the last byte of the buffer: `next` must still be the start of the
    /// following row (after the LF) with that row's line number, and `raw` must include the LF.
    @Test(arguments: [lastBufferByte - 3, lastBufferByte - 2, lastBufferByte - 1])
    func crlfSplitByBufferEnd(k: Int) async throws {
        let scratch = try Scratch()
        var fixture = Fixture(header: ["a"])
        fixture.row([String(repeating: "x", count: k)], eol: "\r\n")
        fixture.row(["y"], eol: "\r\n")
        let url = try scratch.write("crlf.csv", fixture.bytes)
        let records = try await readAll(openReader(url))
        expectSame(records, fixture.rows, "CRLF with CR at file offset \(2 + k)")
        // Whatever `next` says, resuming from it must give the following row unchanged.
        if let first = records.first {
            let tail = try await readAll(openReader(url, resume: first.next))
            #expect(tail.map(\.strings) == [["y"]])
            #expect(tail.map(\.line) == [3])
            #expect(tail.map(\.offset) == [fixture.rows[1].offset])
        }
    }

    /// A field longer than the buffer, followed by ordinary rows: nothing lost at either end.
    @Test(arguments: [false, true])
    func fieldLongerThanTheBuffer(gzipped: Bool) async throws {
        let scratch = try Scratch()
        var fixture = Fixture(header: ["id", "blob", "tail"])
        fixture.row(["1", "short", "t"])
        fixture.row(["2", String(repeating: "0123456789", count: 60_000), "t"])
        fixture.row(["3", String(repeating: "ab,\"c\"\n", count: 50_000), "t"], eol: "\r\n")
        fixture.row(["4", "after", "t"])
        let url = gzipped ? try scratch.write("long.csv.gz", gzip(fixture.bytes)) : try scratch.write("long.csv", fixture.bytes)
        // Its repeated text inflates about 500:1, as a bomb does; real CSV stays far below 200:1.
        let options = ReaderOptions(maxCompressionRatio: 1_000)
        let records = try await readAll(openReader(url, options: options))
        expectSame(records, fixture.rows, "long fields")
        for (index, row) in fixture.rows.enumerated() {
            let tail = try await readAll(openReader(url, resume: row.next, options: options))
            expectSame(tail, fixture.rows[(index + 1)...], "resume after row \(index + 1)")
        }
    }
}
