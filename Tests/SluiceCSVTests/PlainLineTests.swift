import Testing
import SluiceCore
@testable import SluiceCSV

/// Lines without quotes, and lines whose quoted fields close on the line, are split by the
/// reader itself; everything it returns must be exactly what libcsv returns for the same bytes.
@Suite struct PlainLineTests {
    private func records(_ text: [UInt8], chunk: Int, splitsWholeLines: Bool,
                         options: ReaderOptions = ReaderOptions()) throws -> [Record] {
        let reader = try CSVRecordReader(stream: MemoryByteStream(text), resume: .start, options: options, chunkSize: chunk)
        reader.splitsWholeLines = splitsWholeLines
        return try readAll(reader)
    }

    /// Random files mixing plain and quoted lines, LF, CRLF and CR endings, blank lines, spaces,
    /// tabs, empty fields, ragged rows, doubled quotes, stray quotes, text after a closing quote,
    /// quoted fields left open and a missing final line end.
    @Test(arguments: [7, 64, 256 * 1024])
    func plainLinesComeOutAsLibcsvReadsThem(chunk: Int) throws {
        var random = SplitMix64(seed: 20261122 &+ UInt64(chunk))
        let pieces = ["a", "bc", " ", "\t", "x y", "", "1.5", "é", "\"q\"", "\"a,b\"", "\"line\nbreak\"", "d\"e",
                      "\"\"", "\"say \"\"hi\"\"\"", "\"\"\"\"", "\"x\"y", "\"x\" ", " \"x\"", "\"a\r\nb\"", "\"tail\"\"\"",
                      "\"open", "\"a\"\"b,c\""]
        for round in 0..<300 {
            var text = "id,name,note\n"
            for _ in 0..<Int.random(in: 0..<12, using: &random) {
                let fields = (0..<Int.random(in: 1...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                text += fields.joined(separator: ",") + ["\n", "\r\n", "\r", "\n\n"].randomElement(using: &random)!
            }
            if Bool.random(using: &random) { text += "last,row" }
            let bytes = Array(text.utf8)
            let fast = try records(bytes, chunk: chunk, splitsWholeLines: true)
            let libcsv = try records(bytes, chunk: chunk, splitsWholeLines: false)
            #expect(fast == libcsv, "round \(round): \(text.debugDescription)")
        }
    }

    @Test(arguments: [false, true])
    func aLongFieldIsStillCaughtByTheFieldLimit(quoted: Bool) throws {
        let long = quoted ? "\"" + String(repeating: "n\"\"", count: 40) + "\"" : String(repeating: "n", count: 100)
        let text = Array(("id,note\n1," + long + "\n2,ok\n3,\"" + String(repeating: "m", count: 50) + "\"\n").utf8)
        var options = ReaderOptions()
        options.maxFieldBytes = 50
        let fast = try records(text, chunk: 4096, splitsWholeLines: true, options: options)
        #expect(fast == (try records(text, chunk: 4096, splitsWholeLines: false, options: options)))
        #expect(fast.map(\.reason) == ["field 2 is longer than max_field_bytes (50)", nil, nil])
    }
}
