import CZlib
import Foundation
import SluiceApp
import SluiceCore
import SluiceSample
import Testing

/// The bad-input matrix: each case asserts the exact outcome (reason, quarantine row, counts).
@Suite struct BadInputTests {
    static let header = "id,name,amount,day,at\n"

    /// What a run left behind.
    struct Outcome {
        var summary: RunSummary
        var quarantine: [QuarantineEntry]
        var rows: [[String?]]
        var states: [String: String]

        var rowReasons: [String] { quarantine.filter { $0.kind == "row" }.map(\.reason) }
        var fileReasons: [String] { quarantine.filter { $0.kind == "file" }.map(\.reason) }
    }

    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    func write(_ name: String, _ bytes: [UInt8], supplier: String = "acme") throws {
        let url = dir.url.appendingPathComponent("suppliers/\(supplier)/\(name)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func write(_ name: String, _ text: String, supplier: String = "acme") throws {
        try write(name, Array(text.utf8), supplier: supplier)
    }

    func run(_ overrides: [String] = []) async throws -> Outcome {
        let yaml = """
            pipeline: bad-input
            source: { root: \(dir.path("suppliers")), batch_rows: 4 }
            schema:
              on_invalid: quarantine
              columns:
                - { name: id, type: integer, required: true }
                - { name: name, type: string }
                - { name: amount, type: "decimal(8,2)" }
                - { name: day, type: date }
                - { name: at, type: timestamp }
            load: { database: \(dir.path("db.sqlite")), table: staged }
            """
        let definition = try DefinitionLoader.parse(yaml: yaml, baseDirectory: dir.url, overrides: overrides)
        let plan = try OutputPlan.compile(schema: definition.schema, steps: definition.transform)
        let summary = try await runPipeline(definition: definition, plan: plan)
        #expect(summary.total.reconciles, "read = loaded + quarantined + filtered")
        let states = Dictionary(uniqueKeysWithValues: try query(dir.path("db.sqlite"), "SELECT supplier || '/' || path, state FROM sluice_files")
            .map { ($0[0]!, $0[1]!) })
        return Outcome(summary: summary, quarantine: try readQuarantine(definition, limit: nil),
                       rows: try query(dir.path("db.sqlite"), "SELECT id, name, amount, day, at FROM staged ORDER BY _file, _row, _supplier"),
                       states: states)
    }

    // MARK: Encoding

    @Test func invalidUTF8QuarantinesTheRowWithTheByteOffset() async throws {
        let body = Array((Self.header + "1,ok,,,\n2,").utf8) + [0x41, 0xFF, 0x42] + Array(",,,\n3,fine,,,\n".utf8)
        try write("a.csv", body)
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["1", "3"])
        let offset = Self.header.utf8.count + "1,ok,,,\n2,A".utf8.count
        #expect(out.rowReasons == ["field 2 contains invalid UTF-8 (byte 0xFF at byte \(offset) of the file; declare encoding: latin1 if the supplier sends Latin-1)"])
        #expect(out.quarantine.first?.line == 3)
        #expect(out.summary.exitCode == 0)
    }

    @Test func aBOMIsStrippedOnlyAtTheStart() async throws {
        try write("a.csv", [0xEF, 0xBB, 0xBF] + Array((Self.header + "1,\u{FEFF}x,,,\n").utf8))
        let out = try await run()
        #expect(out.rows == [["1", "\u{FEFF}x", nil, nil, nil]])
    }

    @Test func utf16IsAnErrorUnlessDeclaredThenItConverts() async throws {
        let text = Self.header + "1,Zoë,,,\n"
        try write("a.csv", [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let undeclared = try await run()
        #expect(undeclared.summary.exitCode == 3)
        #expect(undeclared.fileReasons.first?.contains("looks like UTF-16") == true)

        let other = try TemporaryDirectory()
        let url = other.url.appendingPathComponent("suppliers/acme/a.csv")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: dir.url.appendingPathComponent("suppliers/acme/a.csv"), to: url)
        let declared = try await BadInputTests(directory: other).run(["source.encoding=utf16"])
        #expect(declared.rows == [["1", "Zoë", nil, nil, nil]])
    }

    init(directory: TemporaryDirectory) { dir = directory }

    @Test func utf16EndingInsideACharacterIsAnErrorNotAHang() async throws {
        let text = Self.header + "1,ok,,,\n"
        try write("a.csv", [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0x3D, 0xD8, 0x41])
        let out = try await run(["source.encoding=utf16"])
        #expect(out.summary.total.filesQuarantined == 1)
        #expect(out.fileReasons.first?.contains("the file ends in the middle of a character") == true)
    }

    @Test func latin1IsRejectedByRowUnlessDeclaredThenItConverts() async throws {
        try write("a.csv", Array((Self.header + "1,Zo").utf8) + [0xEB] + Array(",,,\n".utf8))
        let undeclared = try await run()
        #expect(undeclared.rows.isEmpty)
        #expect(undeclared.rowReasons.first?.contains("declare encoding: latin1") == true)

        let other = try TemporaryDirectory()
        let copy = BadInputTests(directory: other)
        try copy.write("a.csv", Array((Self.header + "1,Zo").utf8) + [0xEB] + Array(",,,\n".utf8))
        let declared = try await copy.run(["source.suppliers=[{name: acme, path: \(other.path("suppliers/acme")), encoding: latin1}]"])
        #expect(declared.rows == [["1", "Zoë", nil, nil, nil]])
    }

    @Test func nulBytesAreRejected() async throws {
        try write("a.csv", Array((Self.header + "1,a").utf8) + [0] + Array("b,,,\n2,ok,,,\n".utf8))
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["2"])
        #expect(out.rowReasons == ["field 2 contains a NUL byte (NUL is rejected so every sink stores the same text)"])
    }

    // MARK: Shape

    @Test func tooFewAndTooManyFields() async throws {
        try write("a.csv", Self.header + "1,a,,\n2,b,,,,\n3,c,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["3"])
        #expect(out.rowReasons == ["expected 5 fields, found 4", "expected 5 fields, found 6"])
        #expect(out.quarantine.map(\.line) == [2, 3])
        #expect(out.quarantine.map(\.byteOffset) == [Int64(Self.header.utf8.count), Int64(Self.header.utf8.count + 6)])
        #expect(out.quarantine.first?.raw == Array("1,a,,\n".utf8))
    }

    @Test func anUnterminatedQuoteNamesTheLineItOpened() async throws {
        try write("a.csv", Self.header + "1,a,,,\n2,\"never closed,,,\n3,x,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["1"])
        #expect(out.rowReasons == ["unterminated quoted field: the quote opened on line 3 never closes before the end of the file"])
    }

    @Test func aBareQuoteRejectsOnlyItsRow() async throws {
        try write("a.csv", Self.header + "1,ab\"c,,,\n2,ok,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["2"])
        #expect(out.rowReasons == ["a quote inside an unquoted field, or text after a closing quote"])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func lineEndsAllLoadAndQuotedCRLFIsKept(_ end: String) async throws {
        try write("a.csv", "id,name,amount,day,at" + end + "1,\"two\r\nlines\",,," + end + "2,b,,," + end)
        let out = try await run()
        #expect(out.rows == [["1", "two\r\nlines", nil, nil, nil], ["2", "b", nil, nil, nil]])
    }

    @Test func noTrailingNewline() async throws {
        try write("a.csv", Self.header + "1,a,,,\n2,b,,,")
        #expect(try await run().rows.map { $0[0] } == ["1", "2"])
    }

    @Test func emptyAndHeaderOnlyFilesHaveDistinctStatuses() async throws {
        try write("empty.csv", "")
        try write("header-only.csv", Self.header)
        let out = try await run()
        #expect(out.summary.exitCode == 0)
        #expect(out.states == ["acme/empty.csv": "empty", "acme/header-only.csv": "done"])
        let again = try await run()
        #expect(again.summary.total.skipped == 2)
    }

    @Test(arguments: [("id,name,name,day,at\n", "header names 'name' twice"), ("id,,amount,day,at\n", "header field 2 is empty")])
    func duplicateOrEmptyHeaderNamesQuarantineTheFile(_ header: String, _ reason: String) async throws {
        try write("a.csv", header + "1,a,,,\n")
        let out = try await run()
        #expect(out.summary.total.filesQuarantined == 1)
        #expect(out.fileReasons.first?.contains(reason) == true)
    }

    // MARK: Size

    @Test func aFieldOverMaxFieldBytesIsARowErrorAndLoadsWhenTheCapIsRaised() async throws {
        let big = String(repeating: "x", count: 50_000)
        try write("a.csv", Self.header + "1,\"\(big)\",,,\n2,small,,,\n")
        let capped = try await run(["source.max_field_bytes=4KiB"])
        #expect(capped.rows.map { $0[0] } == ["2"])
        #expect(capped.rowReasons == ["field 2 is longer than max_field_bytes (4096)"])

        let other = try TemporaryDirectory()
        let raised = BadInputTests(directory: other)
        try raised.write("a.csv", Self.header + "1,\"\(big)\",,,\n2,small,,,\n")
        let out = try await raised.run(["source.max_field_bytes=1MiB"])
        #expect(out.rows.first?[1] == big, "loads byte-identical")
    }

    @Test func veryLongLinesLoad() async throws {
        let long = String(repeating: "y", count: 600_000)
        try write("a.csv", Self.header + "1,\(long),,,\n2,b,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[1]?.count } == [600_000, 1])
    }

    /// Past 256 KiB, so libcsv reads it in pieces: one quarantined row, the rows after it load.
    @Test func aLineOfCommasIsOneQuarantinedRowAndTheNextRowsLoad() async throws {
        let wide = String(repeating: ",", count: 300_000) + "\n"
        try write("a.csv", Self.header + "1,a,,,\n" + wide + "2,b,,,\n3,c,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["1", "2", "3"])
        #expect(out.rowReasons == ["more than 69 fields (the header has 5)"])
        #expect(out.quarantine.first?.line == 3)
        #expect(out.quarantine.first?.byteOffset == Int64((Self.header + "1,a,,,\n").utf8.count))
        #expect(out.summary.exitCode == 0)
    }

    @Test func aRecordOverMaxRecordBytesIsARowError() async throws {
        let field = String(repeating: "x", count: 3_000)
        try write("a.csv", Self.header + "1,\(field),,,\"\(field)\n\(field)\"\n2,b,,,\n")
        let out = try await run(["source.max_field_bytes=4KiB", "source.max_record_bytes=8KiB"])
        #expect(out.rows.map { $0[0] } == ["2"])
        #expect(out.rowReasons == ["the record is longer than max_record_bytes (8192)"])
        #expect(out.quarantine.first?.line == 2)
        #expect(out.quarantine.first?.raw?.count == 9_009)
    }

    @Test func aHeaderWiderThanTheColumnLimitQuarantinesTheFile() async throws {
        try write("a.csv", String(repeating: "c,", count: 20_000) + "c\n1\n")
        let out = try await run()
        #expect(out.summary.exitCode == 3)
        #expect(out.fileReasons.first?.contains("header: more than 16384 fields (a header may have at most 16384 columns)") == true,
                "\(out.fileReasons)")
    }

    // MARK: gzip

    func gzip(_ text: String) throws -> [UInt8] { try SampleGenerator.gzipCompress(Array(text.utf8)) }

    @Test func aTruncatedGzipLoadsNoRowsByDefaultAtEveryCut() async throws {
        let text = Self.header + (1...60).map { "\($0),name \($0),1.00,2026-01-02,\n" }.joined()
        let full = try gzip(text)
        for cut in stride(from: 10, to: full.count - 1, by: max(1, full.count / 12)) {
            let case_ = try TemporaryDirectory()
            let run = BadInputTests(directory: case_)
            try run.write("a.csv.gz", Array(full[..<cut]))
            let out = try await run.run()
            #expect(out.rows.isEmpty, "cut at \(cut): no rows from a truncated file")
            #expect(out.summary.total.filesQuarantined == 1, "cut at \(cut)")
            #expect(out.fileReasons.first.map { $0.contains("truncated") || $0.contains("corrupt gzip") } == true, "cut at \(cut)")
        }
    }

    @Test func keepGoodRowsKeepsTheRowsBeforeTheCut() async throws {
        // About 1.2 MB inflated, so whole 256 KiB read blocks come out before the cut.
        let text = Self.header + (1...30_000).map { "\($0),name \($0),1.00,2026-01-02,\n" }.joined()
        let full = try SampleGenerator.gzipCompress(Array(text.utf8), level: 9)
        try write("a.csv.gz", Array(full[..<(full.count * 3 / 4)]))
        let out = try await run(["source.on_corrupt=keep_good_rows", "source.batch_rows=1000"])
        let ids = out.rows.map { Int($0[0]!)! }
        #expect(ids.count > 1_000 && ids.count < 30_000)
        #expect(ids == Array(1...ids.count), "exactly the rows before the cut, in order")
        #expect(out.summary.total.filesQuarantined == 1)
        #expect(out.fileReasons.first?.contains("were kept (on_corrupt: keep_good_rows)") == true)
        #expect(out.states["acme/a.csv.gz"] == "quarantined")
    }

    @Test func aCorruptCRCIsRejected() async throws {
        var bytes = try gzip(Self.header + "1,a,,,\n")
        bytes[bytes.count - 6] ^= 0xFF
        try write("a.csv.gz", bytes)
        let out = try await run()
        #expect(out.rows.isEmpty)
        #expect(out.fileReasons.first?.contains("corrupt gzip") == true)
        #expect(out.fileReasons.first?.contains("incorrect data check") == true)
    }

    @Test func everyMemberOfAMultiMemberGzipLoads() async throws {
        try write("a.csv.gz", try gzip(Self.header + "1,a,,,\n") + gzip("2,b,,,\n3,c,,,\n"))
        #expect(try await run().rows.map { $0[0] } == ["1", "2", "3"])
    }

    @Test func trailingGarbageIsRejected() async throws {
        try write("a.csv.gz", try gzip(Self.header + "1,a,,,\n") + Array("junk".utf8))
        let out = try await run()
        #expect(out.rows.isEmpty)
        #expect(out.fileReasons.first?.contains("trailing garbage after the last gzip member") == true)
    }

    /// About 1000:1: the ratio guard stops it from the first MiB, and with the guard raised the size cap does.
    @Test(arguments: [(["source.max_inflated_bytes=8MiB", "source.max_compression_ratio=2000"], "inflates past max_inflated_bytes (8388608)"),
                      (["source.max_inflated_bytes=1GiB"], "a decompression bomb?")])
    func aGzipBombIsStopped(_ settings: [String], _ reason: String) async throws {
        var text = Self.header + "1,"
        text += String(repeating: "0", count: 40 << 20)
        try write("bomb.csv.gz", try SampleGenerator.gzipCompress(Array(text.utf8), level: 9))
        let out = try await run(settings + ["source.max_field_bytes=64MiB"])
        #expect(out.summary.total.filesQuarantined == 1)
        #expect(out.fileReasons.first?.contains(reason) == true, "\(out.fileReasons)")
    }

    /// About 700:1 and only 2 MiB: refused from its first MiB, before a row of it is read.
    @Test func aGzipBombOfValidRowsIsRefusedBeforeAnyRowIsRead() async throws {
        try write("bomb.csv.gz", try SampleGenerator.gzipCompress(Array((Self.header + String(repeating: "1,a,,,\n", count: 300_000)).utf8), level: 9))
        try write("real.csv.gz", try gzip(Self.header + "7,real,,,\n"))
        let out = try await run(["source.batch_rows=8192"])
        #expect(out.summary.total.filesQuarantined == 1)
        #expect(out.fileReasons.count == 1)
        #expect(out.fileReasons.first?.contains("a decompression bomb?") == true, "\(out.fileReasons)")
        #expect(out.states["acme/bomb.csv.gz"] == "quarantined")
        #expect(out.summary.total.rows.read == 1, "only the real file's row")
        #expect(out.rows.map { $0[0] } == ["7"])
    }

    // MARK: Files and paths

    @Test func aLinkLeadingOutsideTheSupplierIsRefusedAndReported() async throws {
        try write("real.csv", Self.header + "1,a,,,\n", supplier: "other")
        try FileManager.default.createDirectory(atPath: dir.path("suppliers/acme"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path("suppliers/acme/evil.csv"),
                                                   withDestinationPath: "../other/real.csv")
        let out = try await run()
        #expect(out.summary.exitCode == 3)
        #expect(out.summary.problems.contains { $0.hasPrefix("acme/evil.csv: refused: a symbolic link, which is not followed") })
        #expect(out.rows.count == 1, "only the other supplier's own file loads")
    }

    @Test(.timeLimit(.minutes(10)))
    func aFIFONamedLikeAFileIsReportedAndTheRunDoesNotWaitOnIt() async throws {
        try write("real.csv", Self.header + "1,a,,,\n")
        #expect(mkfifo(dir.path("suppliers/acme/pipe.csv"), 0o644) == 0)
        let out = try await run()
        #expect(out.summary.exitCode == 3)
        #expect(out.summary.problems.contains { $0.hasPrefix("acme/pipe.csv: refused: a FIFO") }, "\(out.summary.problems)")
        #expect(out.rows.count == 1)
    }

    @Test func aDirectoryNamedLikeAFileIsNotAFile() async throws {
        try FileManager.default.createDirectory(atPath: dir.path("suppliers/acme/folder.csv"), withIntermediateDirectories: true)
        try write("real.csv", Self.header + "1,a,,,\n")
        let out = try await run()
        #expect(out.summary.exitCode == 0)
        #expect(out.summary.total.files == 1)
    }

    @Test func theSameNameUnderTwoSuppliersLoadsBoth() async throws {
        try write("orders.csv", Self.header + "1,a,,,\n", supplier: "acme")
        try write("orders.csv", Self.header + "2,b,,,\n", supplier: "globex")
        #expect(try await run().rows.map { $0[0] } == ["1", "2"])
    }

    @Test func theSameContentTwiceLoadsOrIsSkippedAsDeclared() async throws {
        try write("a.csv", Self.header + "1,a,,,\n")
        try write("copy-of-a.csv", Self.header + "1,a,,,\n")
        let skipped = try await run(["source.on_duplicate=skip"])
        #expect(skipped.rows.count == 1)
        #expect(skipped.states["acme/copy-of-a.csv"] == "duplicate")

        let other = try TemporaryDirectory()
        let loading = BadInputTests(directory: other)
        try loading.write("a.csv", Self.header + "1,a,,,\n")
        try loading.write("copy-of-a.csv", Self.header + "1,a,,,\n")
        #expect(try await loading.run().rows.count == 2)
    }

    // MARK: Values

    @Test func numbersWithSeparatorsExponentsOrPlusAreRejected() async throws {
        try write("a.csv", Self.header + "\"1,000\",a,,,\n1e3,b,,,\n+5,c,,,\n7,d,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["7"])
        #expect(out.rowReasons == ["column id: '1,000' is not an integer", "column id: '1e3' is not an integer",
                                   "column id: '+5' is not an integer"])
    }

    @Test func decimalsBeyondTheScaleAreRejectedNotRounded() async throws {
        try write("a.csv", Self.header + "1,a,1.234,,\n2,b,1.23,,\n")
        let out = try await run()
        #expect(out.rows == [["2", "b", "1.23", nil, nil]])
        #expect(out.rowReasons == ["column amount: '1.234' has more than 2 decimal places for decimal(8,2)"])
    }

    @Test func otherDateFormatsAreRejectedUnlessDeclared() async throws {
        try write("a.csv", Self.header + "1,a,,14/03/2026,\n")
        let strict = try await run()
        #expect(strict.rowReasons == ["column day: '14/03/2026' is not a date (YYYY-MM-DD)"])

        let other = try TemporaryDirectory()
        let declared = BadInputTests(directory: other)
        try declared.write("a.csv", Self.header + "1,a,,14/03/2026,\n")
        #expect(try await declared.run(["schema.columns.3.format=DD/MM/YYYY"]).rows == [["1", "a", nil, "2026-03-14", nil]])
    }

    @Test func timestampsWithAZoneAreStoredInUTCAndOthersAsWritten() async throws {
        try write("a.csv", Self.header + "1,a,,,2026-03-14T09:00:00+02:00\n2,b,,,2026-03-14 09:00:00\n3,c,,,2026-03-14T09:00:00Z\n")
        let out = try await run()
        #expect(out.rows.map { $0[4] } == ["2026-03-14T07:00:00Z", "2026-03-14 09:00:00", "2026-03-14T09:00:00Z"])
    }

    @Test func integerOverflowIsAnError() async throws {
        try write("a.csv", Self.header + "9223372036854775808,a,,,\n9223372036854775807,b,,,\n")
        let out = try await run()
        #expect(out.rows.map { $0[0] } == ["9223372036854775807"])
        #expect(out.rowReasons == ["column id: '9223372036854775808' overflows a 64-bit integer"])
    }

    @Test func formulaLikeCellsAreNeutralisedInQuarantineExports() async throws {
        try write("a.csv", Self.header + "=1+2,@cmd,,,\n")
        let out = try await run()
        let csv = quarantineCSV(out.quarantine)
        #expect(csv.contains("'=1+2,@cmd,,,"), "\(csv)")
        #expect(!csv.contains(",=1+2"))
        #expect(quarantineCSV([QuarantineEntry(supplier: "s", file: "f", kind: "row", line: 1, byteOffset: 0, rowNumber: 1,
                                               reason: "-bad", raw: Array("+x".utf8))])
                    .hasSuffix("s,f,row,1,0,1,'-bad,'+x\n"))
    }
}
