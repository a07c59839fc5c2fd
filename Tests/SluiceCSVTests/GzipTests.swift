import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

/// A small but varied CSV (quoted commas, doubled quotes, multi-line fields, all line-end styles).
let smallFixture = makeFixture(rows: 30, seed: 11, loneCR: true)

/// What a broken gzip file must produce: a ReadError of one of `kinds`, after at most a correct
/// prefix of the rows (never a wrong row, never a clean end).
func expectGzipFailure(_ drained: Drained, kinds: Set<ReadError.Kind> = [.truncated, .corruptGzip],
                       expected: [ExpectedRow], _ what: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = drained.error else {
        Issue.record("\(what): read to the end without an error (\(drained.records.count) records)",
                     sourceLocation: sourceLocation)
        return
    }
    guard let readError = error as? ReadError else {
        Issue.record("\(what): threw \(type(of: error)) \(error), not ReadError", sourceLocation: sourceLocation)
        return
    }
    #expect(kinds.contains(readError.kind), "\(what): \(readError)", sourceLocation: sourceLocation)
    #expect(drained.records.count <= expected.count, "\(what): more records than the file holds",
            sourceLocation: sourceLocation)
    expectSame(drained.records, expected.prefix(drained.records.count), "\(what): rows before the error",
               sourceLocation: sourceLocation)
}

@Suite struct GzipTests {
    @Test(arguments: [0, 1, 6, 9] as [Int32])
    func singleMember(level: Int32) async throws {
        let scratch = try Scratch()
        let plain = try scratch.write("s.csv", smallFixture.bytes)
        let packed = try scratch.write("s.csv.gz", gzip(smallFixture.bytes, level: level))
        let reader = try await openReader(packed)
        #expect(reader.header == smallFixture.header)
        let records = try readAll(reader)
        expectSame(records, smallFixture.rows, "gzip level \(level)")
        let fromPlain = try await readAll(openReader(plain))
        #expect(records == fromPlain)
    }

    /// Splits the content into members at `cuts` (byte offsets of the inflated text).
    static func members(_ content: [UInt8], cuts: [Int]) -> [UInt8] {
        var result: [UInt8] = []
        var start = 0
        for cut in cuts + [content.count] {
            result += gzip(Array(content[start..<cut]))
            start = cut
        }
        return result
    }

    static var splitPoints: [[Int]] {
        let rows = smallFixture.rows
        let headerEnd = Int(rows[0].offset)
        // Inside a multi-line quoted field: an LF that is not the row's own line end.
        let multi = rows.first { $0.raw.dropLast().contains(10) }!
        let insideField = Int(multi.offset) + multi.raw.dropLast().firstIndex(of: 10)! + 1
        return [
            [headerEnd],
            [Int(rows[5].offset)],
            [Int(rows[5].offset) + 3],
            [insideField],
            [3, 4, Int(rows[10].offset), Int(rows[10].offset) + 1, Int(rows[20].offset)],
            [0, 0, headerEnd, headerEnd],
            [smallFixture.bytes.count - 1],
            [smallFixture.bytes.count],
            Array(stride(from: 1, to: smallFixture.bytes.count, by: 97)),
        ]
    }

    @Test(arguments: splitPoints)
    func multiMember(cuts: [Int]) async throws {
        let scratch = try Scratch()
        let data = Self.members(smallFixture.bytes, cuts: cuts)
        #expect(gunzipCheck(data) == smallFixture.bytes, "fixture check")
        let url = try scratch.write("m.csv.gz", data)
        let reader = try await openReader(url)
        #expect(reader.header == smallFixture.header)
        expectSame(try readAll(reader), smallFixture.rows, "members split at \(cuts)")
    }

    @Test func twoMembersAllRowsOfBoth() async throws {
        let scratch = try Scratch()
        let data = gzip(bytes("id,v\n1,a\n2,b\n")) + gzip(bytes("3,c\n4,d\n"))
        let url = try scratch.write("two.csv.gz", data)
        let records = try await readAll(openReader(url))
        #expect(records.map(\.strings) == [["1", "a"], ["2", "b"], ["3", "c"], ["4", "d"]])
        #expect(records.map(\.line) == [2, 3, 4, 5])
        #expect(records.map(\.offset) == [5, 9, 13, 17])
    }

    /// Member boundaries falling at every position of a tiny gzip input buffer.
    @Test func multiMemberWithSmallInputBuffers() async throws {
        let scratch = try Scratch()
        let content = smallFixture.bytes
        let cuts = [Int(smallFixture.rows[3].offset), Int(smallFixture.rows[3].offset) + 5, Int(smallFixture.rows[17].offset)]
        let url = try scratch.write("m.csv.gz", Self.members(content, cuts: cuts))
        let chunk = max(smallFixture.longestLine + 2, 128)
        for inputSize in 2...64 {
            let drained = await drain { try openSmall(url, gzip: true, chunk: chunk, gzipInput: inputSize) }
            #expect(drained.error == nil, "input buffer \(inputSize): \(String(describing: drained.error))")
            expectSame(drained.records, smallFixture.rows, "input buffer \(inputSize)")
        }
    }

    @Test(.timeLimit(.minutes(5)), arguments: [0, 1, 6, 9] as [Int32])
    func truncatedAtEveryPoint(level: Int32) async throws {
        let scratch = try Scratch()
        let data = gzip(smallFixture.bytes, level: level)
        for cut in 0..<data.count {
            let url = try scratch.write("t\(cut).csv.gz", Array(data.prefix(cut)))
            let drained = await drain { try await openReader(url) }
            expectGzipFailure(drained, expected: smallFixture.rows, "level \(level) cut at \(cut) of \(data.count)")
        }
    }

    /// Truncation with tiny gzip input buffers and reader chunks, so errors surface mid-stream.
    @Test(.timeLimit(.minutes(5)), arguments: [2, 3, 7, 64])
    func truncatedAtEveryPointSmallBuffers(inputSize: Int) async throws {
        let scratch = try Scratch()
        let data = gzip(smallFixture.bytes, level: 6)
        let chunk = max(smallFixture.longestLine + 2, 128)
        for cut in 0..<data.count {
            let url = try scratch.write("t\(cut).csv.gz", Array(data.prefix(cut)))
            let drained = await drain { try openSmall(url, gzip: true, chunk: chunk, gzipInput: inputSize) }
            expectGzipFailure(drained, expected: smallFixture.rows, "input \(inputSize) cut at \(cut) of \(data.count)")
        }
    }

    /// Two members: every cut except exactly at the member boundary is an error; at the boundary the
    /// file is a valid single member holding the first part.
    @Test(.timeLimit(.minutes(5)))
    func truncatedMultiMember() async throws {
        let scratch = try Scratch()
        let firstPart = Array(smallFixture.bytes.prefix(Int(smallFixture.rows[12].offset)))
        let first = gzip(firstPart)
        let data = first + gzip(Array(smallFixture.bytes[firstPart.count...]))
        for cut in 0..<data.count {
            let url = try scratch.write("t\(cut).csv.gz", Array(data.prefix(cut)))
            let drained = await drain { try await openReader(url) }
            if cut == first.count {
                #expect(drained.error == nil, "cut at the member boundary: \(String(describing: drained.error))")
                expectSame(drained.records, smallFixture.rows.prefix(12), "first member only")
            } else {
                expectGzipFailure(drained, expected: smallFixture.rows, "two members cut at \(cut) of \(data.count)")
            }
        }
    }

    /// Cuts in a file larger than the reader's buffer: rows come out first, then the error.
    @Test(.timeLimit(.minutes(5)))
    func truncatedLargeFile() async throws {
        let scratch = try Scratch()
        let fixture = bigFixture
        let data = gzip(fixture.bytes)
        let cuts = Array(stride(from: 0, to: data.count, by: data.count / 13)) + [data.count - 9, data.count - 8, data.count - 4, data.count - 1]
        var sawRowsBeforeError = false
        for cut in cuts {
            let url = try scratch.write("t\(cut).csv.gz", Array(data.prefix(cut)))
            let drained = await drain { try await openReader(url) }
            expectGzipFailure(drained, expected: fixture.rows, "large file cut at \(cut) of \(data.count)")
            if !drained.records.isEmpty { sawRowsBeforeError = true }
        }
        #expect(sawRowsBeforeError, "the large cuts should yield rows before failing")
    }

    @Test(arguments: 0..<8)
    func corruptTrailer(byte: Int) async throws {
        let scratch = try Scratch()
        var data = gzip(smallFixture.bytes)
        data[data.count - 8 + byte] ^= 0x5A
        let url = try scratch.write("crc.csv.gz", data)
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, kinds: [.corruptGzip], expected: smallFixture.rows, "trailer byte \(byte) flipped")
    }

    @Test func corruptTrailerLargeFile() async throws {
        let scratch = try Scratch()
        var data = gzip(bigFixture.bytes)
        data[data.count - 6] ^= 0x01
        let url = try scratch.write("crc.csv.gz", data)
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, kinds: [.corruptGzip], expected: bigFixture.rows, "large file, CRC flipped")
    }

    @Test func invalidDeflateBlockType() async throws {
        let scratch = try Scratch()
        var data = gzip(smallFixture.bytes)
        data[10] |= 0b110  // BTYPE = 11: reserved, invalid
        let url = try scratch.write("bt.csv.gz", data)
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, kinds: [.corruptGzip], expected: smallFixture.rows, "invalid block type")
    }

    /// One bit flipped anywhere in the compressed data: an error, or (if the flip is in bits zlib
    /// ignores) exactly the original rows; never different rows without an error.
    @Test(.timeLimit(.minutes(5)))
    func bitFlipsInDeflateData() async throws {
        let scratch = try Scratch()
        let data = gzip(smallFixture.bytes)
        var failures = 0
        for index in 10..<(data.count - 8) {
            var broken = data
            broken[index] ^= UInt8(1 << (index % 8))
            let url = try scratch.write("f\(index).csv.gz", broken)
            let drained = await drain { try await openReader(url) }
            if drained.error == nil {
                expectSame(drained.records, smallFixture.rows, "bit flip at \(index) read without error")
            } else {
                failures += 1
                expectGzipFailure(drained, expected: smallFixture.rows, "bit flip at \(index)")
            }
        }
        #expect(failures > (data.count - 18) / 2, "most flips must be detected")
    }

    @Test(arguments: [
        [0x0A], [0x00], [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], Array("garbage\n".utf8), [0x1F],
        [0x1F, 0x8C, 0x08, 0x00], [0x1F, 0x8B, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01, 0x02],
    ] as [[UInt8]])
    func trailingGarbage(garbage: [UInt8]) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("g.csv.gz", gzip(smallFixture.bytes) + garbage)
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, kinds: [.corruptGzip], expected: smallFixture.rows, "garbage \(garbage)")
    }

    /// The start of what looks like another member, cut short.
    @Test(arguments: [[0x1F, 0x8B], [0x1F, 0x8B, 0x08]] as [[UInt8]])
    func trailingPartialMemberHeader(tail: [UInt8]) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("g.csv.gz", gzip(smallFixture.bytes) + tail)
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, expected: smallFixture.rows, "tail \(tail)")
    }

    @Test func trailingGarbageAfterLargeMember() async throws {
        let scratch = try Scratch()
        let url = try scratch.write("g.csv.gz", gzip(bigFixture.bytes) + bytes("trailing junk"))
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, kinds: [.corruptGzip], expected: bigFixture.rows, "large file + junk")
    }

    @Test(arguments: ["a,b\n1,2\n", "x", "", "\u{1F}"])
    func notGzip(_ text: String) async throws {
        let scratch = try Scratch()
        let url = try scratch.write("plain.csv.gz", text)
        let drained = await drain { try await openReader(url) }
        // An empty or 1-byte file cannot tell "truncated" from "not gzip".
        let kinds: Set<ReadError.Kind> = text.utf8.count < 2 ? [.corruptGzip, .truncated] : [.corruptGzip]
        expectGzipFailure(drained, kinds: kinds, expected: [], "not gzip: \(text.debugDescription)")
    }

    @Test func zlibWrapperIsNotGzip() async throws {
        // A zlib (RFC 1950) stream is not a gzip member.
        let scratch = try Scratch()
        let url = try scratch.write("z.csv.gz", zlibCompress(bytes("a,b\n1,2\n")))
        let drained = await drain { try await openReader(url) }
        expectGzipFailure(drained, kinds: [.corruptGzip], expected: [], "zlib wrapper")
    }
}
