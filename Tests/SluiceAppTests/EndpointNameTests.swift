import Foundation
import SluiceCore
import Testing

/// An endpoint that lists names with control characters: each such file is refused for
/// itself, shown escaped, and the others load.
@Suite(.serialized) struct EndpointNameTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    @Test func aListedNameWithAControlCharacterIsRefusedAndShownEscaped() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 2, gzip: 0)
        let supplier = try supplierNames(dir)[0]
        let folder = URL(fileURLWithPath: dir.path("suppliers")).appendingPathComponent(supplier)
        let sample = try Data(contentsOf: folder.appendingPathComponent("orders-00001.csv"))
        // A name that would move a terminal's cursor, and one that would end a log line.
        for name in ["orders-\u{1B}[2J.csv", "orders-\n-forged.csv"] {
            try sample.write(to: folder.appendingPathComponent(name))
        }
        let simulator = try SupplierSimulator(root: dir.path("suppliers"), in: dir, ["--rate", "0"])
        let database = dir.path("names.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: [supplier], database: database)
        let result = try runBinary(["run", pipeline, "--progress", "0", "--set", "schema.max_invalid_ratio=1"])
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("\(supplier)/orders-\\u{1B}[2J.csv: refused: a listed name must not hold a NUL or other control character"),
                "\(result.stdout)")
        #expect(result.stdout.contains("\(supplier)/orders-\\n-forged.csv: refused"), "\(result.stdout)")
        #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}"))
        #expect(try scalar(database, "select count(*) from sluice_files where state = 'done'") == 2, "the other files load")
        #expect(try scalar(database, "select count(*) from sluice_files") == 2, "a refused name is not recorded")
        #expect(!simulator.downloadRequests.contains { $0.path.contains("forged") || $0.path.contains("%1B") }, "nor downloaded")
    }
}
