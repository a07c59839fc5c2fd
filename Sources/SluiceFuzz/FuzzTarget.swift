import Foundation
import SluiceCSV
import SluiceCore

/// The reader, gzip and validation, driven by arbitrary bytes.
///
/// The first byte picks the mode (bit 0: inflate as gzip; bit 1: a small field cap), the rest
/// is the file. Any crash, hang or unbounded growth here is a bug.
enum FuzzHarness {
    static let definition: PipelineDefinition = {
        let yaml = """
            pipeline: fuzz
            source: { root: /nonexistent }
            schema:
              columns:
                - { name: id, type: integer, required: true, minimum: 0 }
                - { name: name, type: string, max_length: 40, pattern: "^[A-Za-z ]*$" }
                - { name: price, type: "decimal(8,2)" }
                - { name: day, type: date }
                - { name: at, type: timestamp }
                - { name: ok, type: boolean }
                - { name: kind, type: string, enum: [a, b, c] }
            transform:
              - trim: [name]
              - upper: [kind]
              - filter: { column: kind, not_in: [C] }
              - set: { column: origin, value: "${supplier}/${file}" }
            load: { database: /nonexistent/db.sqlite }
            """
        return try! DefinitionLoader.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/"))
    }()
    static let plan = try! OutputPlan.compile(schema: definition.schema, steps: definition.transform)

    static func run(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let body = Array(input.dropFirst())
        let options = ReaderOptions(maxFieldBytes: mode & 2 != 0 ? 64 : 1 << 20)
        guard let reader = try? CSVReaderFactory().open(bytes: body, gzip: mode & 1 != 0, options: options) else { return }
        guard var validation = try? RowValidation(definition: definition, plan: plan, header: reader.header,
                                                  supplier: "s", file: "f.csv") else { return }
        var row = RawRow()
        var batch = RowBatch(columnCount: plan.columns.count)
        var rows = 0
        while let result = try? reader.next(into: &row), result != .end {
            rows += 1
            precondition(rows <= body.count + 1, "more records than bytes: the reader is looping")
            precondition(mode & 1 != 0 || row.next.offset <= Int64(body.count), "resume offset past the end of the input")
            if result == .row { _ = validation.process(row, rowNumber: rows, into: &batch) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzHarness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
/// libFuzzer's entry for programs that keep their own `main`, as a Swift executable does.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@main
struct Fuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
    }
}
#else
/// Without libFuzzer: replays the files given as arguments (a corpus or crash inputs).
@main
struct Replay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            FuzzHarness.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("ok \(path)")
        }
    }
}
#endif
