import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

/// The reader's default chunk (and gzip input buffer): 256 KiB.
let defaultChunk = 256 * 1024

/// ~5000 rows, well over two default chunks, with one row made to start exactly at 256 KiB.
let bigFixture = makeFixture(rows: 5000, seed: 2024, noteLength: 60...200, loneCR: true, exactStarts: [defaultChunk])

@Suite struct ResumeTests {
    /// Named resume points into `fixture.rows`: (label, resume point, index of the first row expected after it).
    static func resumePoints(_ fixture: Fixture) -> [(String, ResumePoint, Int)] {
        let rows = fixture.rows
        guard let atChunk = rows.firstIndex(where: { $0.offset == Int64(defaultChunk) }),
              let straddle = rows.firstIndex(where: { $0.offset < Int64(2 * defaultChunk) && $0.next.offset > Int64(2 * defaultChunk) })
                ?? rows.firstIndex(where: { $0.offset >= Int64(2 * defaultChunk) }) else {
            Issue.record("the fixture lacks the rows around the chunk boundaries")
            return []
        }
        let middle = rows.count / 2
        /// The blank lines before a row all lie before its first byte.
        func before(_ index: Int) -> ResumePoint {
            ResumePoint(offset: rows[index].offset, line: rows[index].line, rowsBefore: index,
                        blankLinesBefore: rows[index].next.blankLinesBefore)
        }
        return [
            ("start", .start, 0),
            ("before the first row", before(0), 0),
            ("after the first row", rows[0].next, 1),
            ("after row 2", rows[1].next, 2),
            ("middle", rows[middle - 1].next, middle),
            ("two rows before the chunk end", rows[atChunk - 2].next, atChunk - 1),
            ("row starting exactly at the chunk end", rows[atChunk - 1].next, atChunk),
            ("row after the chunk end", rows[atChunk].next, atChunk + 1),
            ("row straddling the second chunk end", before(straddle), straddle),
            ("after the straddling row", rows[straddle].next, straddle + 1),
            ("before the last row", rows[rows.count - 2].next, rows.count - 1),
            ("after the last row", rows[rows.count - 1].next, rows.count),
        ]
    }

    @Test func bigFixtureShape() {
        #expect(bigFixture.rows.count == 5000)
        #expect(bigFixture.bytes.count > 2 * defaultChunk + 10_000)
        #expect(bigFixture.rows.contains { $0.offset == Int64(defaultChunk) })
        #expect(bigFixture.rows.contains { $0.offset < Int64(2 * defaultChunk) && $0.next.offset > Int64(2 * defaultChunk) })
        #expect(bigFixture.rows.contains { $0.line != $0.next.line - 1 }, "some rows span lines")
        let rows = bigFixture.rows
        #expect(zip(rows, rows.dropFirst()).contains { $0.next.offset != $1.offset }, "some blank lines between rows")
    }

    /// Reads a file bigger than two chunks through the factory, then resumes from chosen points.
    @Test(arguments: [false, true])
    func resumeThroughFactory(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let fixture = bigFixture
        let url = gzipped ? try scratch.write("big.csv.gz", gzip(fixture.bytes)) : try scratch.write("big.csv", fixture.bytes)
        let reader = try await openReader(url)
        #expect(reader.header == fixture.header)
        let all = try readAll(reader)
        expectSame(all, fixture.rows, "full read")
        for (label, point, first) in Self.resumePoints(fixture) {
            let resumed = try await openReader(url, resume: point)
            #expect(resumed.header == fixture.header, "\(label)")
            expectSame(try readAll(resumed), fixture.rows[first...], "resume \(label) at \(point)")
        }
    }

    /// Resuming from every row's own `next` (as the reader reported it), spread across the file.
    @Test(arguments: [false, true])
    func resumeFromReportedNext(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let fixture = bigFixture
        let url = gzipped ? try scratch.write("big.csv.gz", gzip(fixture.bytes)) : try scratch.write("big.csv", fixture.bytes)
        let all = try await readAll(openReader(url))
        try #require(all.count == fixture.rows.count)
        for index in stride(from: 0, to: all.count, by: 409) + [all.count - 1] {
            let tail = try await readAll(openReader(url, resume: all[index].next))
            #expect(tail == Array(all[(index + 1)...]), "resume after row \(index + 1) at \(all[index].next)")
        }
    }

    /// A resume point past the end of the data.
    @Test func resumePastTheEnd() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("s.csv", "a,b\n1,2\n")
        let reader = try await openReader(url, resume: ResumePoint(offset: 8, line: 3, rowsBefore: 1))
        #expect(try readAll(reader).isEmpty)
    }

    @Test func resumePastTheEndOfGzipFails() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("s.csv.gz", gzip(bigFixture.bytes))
        let far = ResumePoint(offset: Int64(bigFixture.bytes.count + 1_000_000), line: 99_999, rowsBefore: 99_999)
        let drained = await drain { try await openReader(url, resume: far) }
        if let error = drained.error {
            #expect(error is ReadError, "\(error)")
        } else {
            #expect(drained.records.isEmpty)
        }
    }

    /// With a chunk that always holds a whole line: everything exact, resume from every row.
    @Test(arguments: [false, true])
    func smallChunksStrict(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let fixture = makeFixture(rows: 250, seed: 99, loneCR: true)
        let url = gzipped ? try scratch.write("m.csv.gz", gzip(fixture.bytes)) : try scratch.write("m.csv", fixture.bytes)
        let smallest = fixture.longestLine + 2
        for chunk in [smallest, smallest + 1, smallest + 7, 257, 1000, 4099] {
            let inputs = gzipped ? [3, 100, defaultChunk] : [defaultChunk]
            for input in inputs {
                let all = try readAll(openSmall(url, gzip: gzipped, chunk: chunk, gzipInput: input))
                expectSame(all, fixture.rows, "chunk \(chunk) input \(input)")
            }
            for (index, row) in fixture.rows.enumerated() where index % 3 == 0 || chunk == smallest {
                let tail = try readAll(openSmall(url, gzip: gzipped, chunk: chunk, gzipInput: 100, resume: row.next))
                expectSame(tail, fixture.rows[(index + 1)...], "chunk \(chunk), resume after row \(index + 1)")
            }
        }
    }

    /// Chunks smaller than a line (down to 2 bytes): a long line is fed in pieces, line ends (CR,
    /// LF, CRLF, CR inside quotes) fall on every buffer position, yet every record, `next` and
    /// resume must be exactly as with a large buffer.
    @Test(.timeLimit(.minutes(5)), arguments: [false, true])
    func tinyChunks(gzipped: Bool) async throws {
        let scratch = try Scratch()
        let fixture = makeFixture(rows: 60, seed: 5, noteLength: 5...40, loneCR: true)
        let url = gzipped ? try scratch.write("t.csv.gz", gzip(fixture.bytes)) : try scratch.write("t.csv", fixture.bytes)
        for chunk in 2...(fixture.longestLine + 3) {
            let all = try readAll(openSmall(url, gzip: gzipped, chunk: chunk, gzipInput: 5))
            expectSame(all, fixture.rows, "chunk \(chunk)")
            guard [2, 3, 5, 8, 13, 21, 34, 55].contains(chunk) else { continue }
            for (index, row) in fixture.rows.enumerated() {
                let tail = try readAll(openSmall(url, gzip: gzipped, chunk: chunk, gzipInput: 5, resume: row.next))
                expectSame(tail, fixture.rows[(index + 1)...], "chunk \(chunk), resume after row \(index + 1) at \(row.next)")
            }
        }
    }

    /// Malformed rows keep their place in the count, and resuming after one continues correctly.
    @Test func resumeAfterMalformedRow() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("bad.csv", "a,b\n1,2\n3,x\"y\n\n4,5\n6,\"7\n8\"\n")
        let all = try await readAll(openReader(url))
        #expect(all.map(\.isRow) == [true, false, true, true])
        #expect(all.map(\.next.rowsBefore) == [1, 2, 3, 4])
        let tail = try await readAll(openReader(url, resume: all[1].next))
        #expect(tail == Array(all[2...]))
        #expect(tail.first?.line == 5)
        #expect(tail.first?.offset == 15)
    }
}
