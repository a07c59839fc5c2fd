import CZlib
import Foundation
import SluiceCore
import Testing
@testable import SluiceCSV

// MARK: - Scratch directories

/// A fresh temporary directory for one test, removed when the value is released.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-csv-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> URL {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        try write(name, Array(text.utf8))
    }
}

// MARK: - Opening readers

/// The file as a listing finds it: the factory checks that it is still this version.
func discovered(_ url: URL, gzip: Bool? = nil) -> DiscoveredFile {
    let snapshot = FileSnapshot(path: url.path)
    return DiscoveredFile(supplier: "test", relativePath: url.lastPathComponent,
                          directory: url.deletingLastPathComponent().path, size: snapshot?.size ?? 0,
                          modified: snapshot?.modified ?? 0, fingerprint: "test", isGzip: gzip ?? (url.pathExtension == "gz"))
}

/// Opens through the public factory as the pipeline does: via the `RecordReaderFactory` protocol.
func openReader(_ url: URL, gzip: Bool? = nil, resume: ResumePoint = .start,
                options: ReaderOptions = ReaderOptions()) async throws -> any RecordReader {
    let factory: any RecordReaderFactory = CSVReaderFactory()
    return try await factory.open(discovered(url, gzip: gzip), resume: resume, options: options)
}

/// Opens with an explicit (small) chunk and, for gzip, input buffer: reaches the internal sizes.
func openSmall(_ url: URL, gzip: Bool, chunk: Int, gzipInput: Int = 256 * 1024,
               resume: ResumePoint = .start, options: ReaderOptions = ReaderOptions()) throws -> any RecordReader {
    let stream: any ByteStream = gzip
        ? try GzipByteStream(path: url.path, inputBufferSize: gzipInput)
        : try FileByteStream(path: url.path)
    return try CSVRecordReader(stream: stream, resume: resume, options: options, chunkSize: chunk)
}

// MARK: - Reading records

/// One result of `next(into:)`, copied out of the reused `RawRow`.
struct Record: Equatable, CustomStringConvertible {
    enum Kind: Equatable {
        case row
        case malformed(String)
    }

    var kind: Kind
    var fields: [[UInt8]]
    var raw: [UInt8]
    var line: Int
    var offset: Int64
    var next: ResumePoint

    init(_ row: RawRow, _ kind: Kind) {
        self.kind = kind
        fields = (0..<row.fieldCount).map { Array(row.fieldBytes[row.fieldRange($0)]) }
        raw = row.raw
        line = row.line
        offset = row.offset
        next = row.next
    }

    var strings: [String] { fields.map { String(decoding: $0, as: UTF8.self) } }
    var rawText: String { String(decoding: raw, as: UTF8.self) }
    var isRow: Bool { kind == .row }
    var reason: String? {
        if case .malformed(let reason) = kind { return reason }
        return nil
    }

    var description: String {
        "\(kind) line \(line) offset \(offset) next \(next) fields \(strings.map { abbreviated($0) }) raw \(abbreviated(rawText))"
    }
}

/// Reads every record to `.end`; records an issue (and stops) if the reader never ends.
func readAll(_ reader: any RecordReader, limit: Int = 200_000) throws -> [Record] {
    var row = RawRow()
    var records: [Record] = []
    while true {
        switch try reader.next(into: &row) {
        case .end:
            return records
        case .row:
            records.append(Record(row, .row))
        case .malformed(let reason):
            records.append(Record(row, .malformed(reason)))
        }
        if records.count > limit {
            Issue.record("reader returned more than \(limit) records without ending")
            return records
        }
    }
}

/// Opens and reads to the end or the first error, keeping what came out before the error.
struct Drained {
    var header: [String]?
    var records: [Record] = []
    var error: (any Error)?
    var readError: ReadError? { error as? ReadError }
}

func drain(limit: Int = 200_000, _ open: () async throws -> any RecordReader) async -> Drained {
    var result = Drained()
    do {
        let reader = try await open()
        result.header = reader.header
        var row = RawRow()
        loop: while true {
            switch try reader.next(into: &row) {
            case .end: break loop
            case .row: result.records.append(Record(row, .row))
            case .malformed(let reason): result.records.append(Record(row, .malformed(reason)))
            }
            if result.records.count > limit {
                Issue.record("reader returned more than \(limit) records without ending")
                break
            }
        }
        reader.close()
    } catch {
        result.error = error
    }
    return result
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A debug rendering of `text`, shortened in the middle when long (fixtures have 256 KiB fields).
func abbreviated(_ text: String, limit: Int = 80) -> String {
    guard text.count > limit else { return text.debugDescription }
    return (String(text.prefix(limit / 2)) + "…(\(text.count) characters)…" + String(text.suffix(limit / 2))).debugDescription
}

// MARK: - Expected rows, computed independently of the reader

/// A row as the file was written: its fields, where it starts, its raw text and the resume point after it.
struct ExpectedRow: Equatable, Sendable {
    var fields: [[UInt8]]
    var line: Int
    var offset: Int64
    var raw: [UInt8]
    var next: ResumePoint
    var strings: [String] { fields.map { String(decoding: $0, as: UTF8.self) } }
}

/// Builds CSV text and, alongside it, what a correct reader must report for every row.
///
/// Physical lines end at LF, CRLF or a lone CR (inside quotes too). A row's `next` is the byte just
/// after the row's own line end, and the physical line number at that byte; blank lines after a row
/// belong to the gap before the following row.
struct Fixture: Sendable {
    let delimiter: UInt8
    private(set) var bytes: [UInt8] = []
    private(set) var rows: [ExpectedRow] = []
    private(set) var header: [String]
    private(set) var line = 1
    /// Blank lines written so far: the reader skips and counts them.
    private(set) var blankLines = 0

    init(header: [String], eol: String = "\n", delimiter: UInt8 = UInt8(ascii: ","), bom: Bool = false) {
        self.delimiter = delimiter
        self.header = header
        if bom { bytes += [0xEF, 0xBB, 0xBF] }
        let text = header.map { Fixture.encode($0, delimiter: delimiter, force: false) }
            .joined(separator: String(UnicodeScalar(delimiter))) + eol
        bytes += Array(text.utf8)
        line += Fixture.lineEnds(in: Array(text.utf8))
    }

    var offset: Int64 { Int64(bytes.count) }

    mutating func blank(_ eol: String = "\n") {
        precondition(!(bytes.last == 13 && eol.utf8.first == 10), "a blank LF after a lone CR would make a CRLF")
        bytes += Array(eol.utf8)
        line += 1
        blankLines += 1
    }

    /// Appends a record, quoting fields that need it (or all of them with `quoteAll`).
    mutating func row(_ fields: [String], eol: String = "\n", quoteAll: Bool = false) {
        let text = fields.map { Fixture.encode($0, delimiter: delimiter, force: quoteAll) }
            .joined(separator: String(UnicodeScalar(delimiter))) + eol
        append(Array(text.utf8), fields: fields.map { Array($0.utf8) })
    }

    /// Appends a record written by hand.
    mutating func rawRow(_ text: String, fields: [String]) {
        append(Array(text.utf8), fields: fields.map { Array($0.utf8) })
    }

    private mutating func append(_ raw: [UInt8], fields: [[UInt8]]) {
        precondition(!(bytes.last == 13 && raw.first == 10), "a row starting with LF after a lone CR")
        let start = offset
        let startLine = line
        bytes += raw
        line += Fixture.lineEnds(in: raw)
        rows.append(ExpectedRow(fields: fields, line: startLine, offset: start, raw: raw,
                                next: ResumePoint(offset: offset, line: line, rowsBefore: rows.count + 1,
                                                  blankLinesBefore: blankLines)))
    }

    static func encode(_ field: String, delimiter: UInt8, force: Bool) -> String {
        let needs = field.utf8.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
        guard needs || force else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Physical line ends: CRLF counts once, a lone CR or LF once each.
    static func lineEnds(in raw: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index < raw.count {
            if raw[index] == 13 {
                count += 1
                if index + 1 < raw.count && raw[index + 1] == 10 { index += 1 }
            } else if raw[index] == 10 {
                count += 1
            }
            index += 1
        }
        return count
    }

    /// The longest physical line, terminator included.
    var longestLine: Int {
        var longest = 0
        var start = 0
        var index = 0
        while index < bytes.count {
            var end: Int?
            if bytes[index] == 13 {
                end = (index + 1 < bytes.count && bytes[index + 1] == 10) ? index + 2 : index + 1
            } else if bytes[index] == 10 {
                end = index + 1
            }
            if let end {
                longest = max(longest, end - start)
                start = end
                index = end
            } else {
                index += 1
            }
        }
        return max(longest, bytes.count - start)
    }
}

/// Compares records with expected rows, reporting the first difference (not thousands of them).
func expectSame(_ actual: [Record], _ expected: some Collection<ExpectedRow>, _ what: String,
                sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = Array(expected)
    #expect(actual.count == expected.count, "\(what): \(actual.count) records, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (index, (got, want)) in zip(actual, expected).enumerated() {
        let same = got.kind == .row && got.fields == want.fields && got.line == want.line
            && got.offset == want.offset && got.raw == want.raw && got.next == want.next
        if !same {
            Issue.record("\(what): record \(index) differs\n  got      \(got)\n  expected fields \(want.strings.map { abbreviated($0) }) line \(want.line) offset \(want.offset) next \(want.next) raw \(abbreviated(String(decoding: want.raw, as: UTF8.self)))",
                         sourceLocation: sourceLocation)
            return
        }
    }
}

// MARK: - gzip fixtures

/// Compresses `data` as one gzip member (zlib's gzip wrapper, no file name, mtime 0).
func gzip(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
    // zlib keeps a pointer back to its z_stream: it must not move, so it lives on the heap.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer {
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
    let status = deflateInit2_(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2_ failed: \(status)")
    defer { deflateEnd(stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(data.count))) + 64)
    var input = data
    let produced = input.withUnsafeMutableBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.pointee.next_in = inBuffer.baseAddress
            stream.pointee.avail_in = uInt(inBuffer.count)
            stream.pointee.next_out = outBuffer.baseAddress
            stream.pointee.avail_out = uInt(outBuffer.count)
            let result = deflate(stream, Z_FINISH)
            precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
            return outBuffer.count - Int(stream.pointee.avail_out)
        }
    }
    return Array(output.prefix(produced))
}

/// A zlib-wrapped (RFC 1950) stream, which is not gzip.
func zlibCompress(_ data: [UInt8]) -> [UInt8] {
    var length = compressBound(uLong(data.count))
    var output = [UInt8](repeating: 0, count: Int(length))
    let status = compress(&output, &length, data, uLong(data.count))
    precondition(status == Z_OK && output.first == 0x78)
    return Array(output.prefix(Int(length)))
}

/// Inflates with zlib directly (all members), to check the fixtures themselves.
func gunzipCheck(_ data: [UInt8]) -> [UInt8]? {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer {
        stream.deinitialize(count: 1)
        stream.deallocate()
    }
    guard inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(stream) }
    var input = data
    var result: [UInt8] = []
    var scratch = [UInt8](repeating: 0, count: 65536)
    let ok: Bool = input.withUnsafeMutableBufferPointer { inBuffer in
        stream.pointee.next_in = inBuffer.baseAddress
        stream.pointee.avail_in = uInt(inBuffer.count)
        while true {
            let status = scratch.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                stream.pointee.next_out = outBuffer.baseAddress
                stream.pointee.avail_out = uInt(outBuffer.count)
                let status = inflate(stream, Z_NO_FLUSH)
                result += outBuffer.prefix(outBuffer.count - Int(stream.pointee.avail_out))
                return status
            }
            if status == Z_STREAM_END {
                if stream.pointee.avail_in == 0 { return true }
                inflateReset(stream)
            } else if status != Z_OK {
                return false
            }
        }
    }
    return ok ? result : nil
}

// MARK: - Deterministic random data

typealias SplitMix64 = SluiceCore.SplitMix64

private let words = ["alpha", "beta", "gamma", "delta", "Zoë", "Ångström", "日本語", "naïve", "café", "x",
                     "lorem", "ipsum", "dolor", "sit", "amet", "1.5", "-3", "tab\there", "semi;colon", "€"]

/// A varied, deterministic CSV: quoted commas, doubled quotes, multi-line fields with LF and CRLF,
/// empty fields, blank lines, LF and CRLF row ends and (with `loneCR`) CR-only row ends and CRs in quotes.
/// `exactStarts` are byte offsets at which a row is made to start exactly (with a padding row).
func makeFixture(rows count: Int, seed: UInt64, noteLength: ClosedRange<Int> = 10...60, loneCR: Bool,
                 exactStarts: [Int] = []) -> Fixture {
    var rng = SplitMix64(seed: seed)
    var fixture = Fixture(header: ["id", "name", "note", "amount"])
    var targets = exactStarts.sorted()
    func text(_ length: Int) -> String {
        var out = ""
        while out.utf8.count < length { out += (out.isEmpty ? "" : " ") + words.randomElement(using: &rng)! }
        return out
    }
    var index = 0
    while index < count {
        if let target = targets.first {
            let gap = target - fixture.bytes.count
            let id = "\(index + 1)"
            let fixed = id.utf8.count + ",pad,".utf8.count + ",0\n".utf8.count
            if gap >= fixed + 1 && gap <= fixed + 400 {
                let row = [id, "pad", String(repeating: "p", count: gap - fixed), "0"]
                fixture.row(row)
                precondition(fixture.bytes.count == target)
                targets.removeFirst()
                index += 1
                continue
            }
            precondition(gap > fixed, "missed the exact start \(target)")
        }
        let name: String
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: name = ""
        case 1: name = "Smith, \(text(4))"
        case 2: name = "say \"\(text(3))\" twice \"\""
        default: name = text(Int.random(in: 1...14, using: &rng))
        }
        var note = text(Int.random(in: noteLength, using: &rng))
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: note = ""
        case 1: note = text(8) + "\n" + text(8)
        case 2: note = text(8) + "\r\n" + text(8) + "\r\n"
        case 3: note = "\n" + text(5) + ",\"quoted\"\n\n" + text(5)
        case 4 where loneCR: note = text(6) + "\r" + text(6)
        default: break
        }
        let amount = "\(Int.random(in: -99999...99999, using: &rng))"
        let eolRoll = Int.random(in: 0..<20, using: &rng)
        let eol = eolRoll < 13 ? "\n" : (eolRoll < 19 || !loneCR ? "\r\n" : "\r")
        fixture.row(["\(index + 1)", name, note, amount], eol: eol, quoteAll: Int.random(in: 0..<8, using: &rng) == 0)
        index += 1
        if Int.random(in: 0..<40, using: &rng) == 0 && index < count {
            if eol == "\r" {
                fixture.blank("\r")
            } else {
                fixture.blank(Bool.random(using: &rng) ? "\n" : "\r\n")
            }
        }
    }
    return fixture
}
