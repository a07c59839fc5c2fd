import Foundation
import SluiceApp
import SluiceCore
import SluiceSample
import Testing

/// `sluice check --sample`: the sniffed profile, the header mapping, the rows, and the exit code.
@Suite struct CheckSampleTests {
    private static let header = "order_id;sku;product_name;category;quantity;unit_price;currency;order_date;updated_at;in_stock;notes\n"
    private static let rows = """
        1;SKU0000001;Hammer;tools;3;12.50;EUR;13.03.2024;;yes;
        2;SKU0000002;Rake;garden;12;7.25;EUR;01.04.2024;;no;fragile

        """

    private func write(_ dir: TemporaryDirectory, _ name: String, _ text: String) throws -> String {
        try text.write(toFile: dir.path(name), atomically: true, encoding: .utf8)
        return dir.path(name)
    }

    @Test func aSemicolonFileThatLoadsPrintsItsProfileAndRowsAndExitsZero() throws {
        let dir = try TemporaryDirectory()
        let sample = try write(dir, "orders-eu.csv", Self.header + Self.rows)

        let result = try runBinary(["check", referencePipeline, "--sample", sample])

        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("profile (paste under profiles:)\n  orders-eu:\n    delimiter: \";\"\n    date_format: DD.MM.YYYY\n"),
                "\(result.stdout)")
        #expect(result.stdout.contains("ambiguities: none"))
        #expect(result.stdout.contains("column names as they are: order_id, sku, product_name"))
        // The date is read in the sniffed layout and stored as ISO; the rename step applies.
        #expect(result.stdout.contains("  line 2: order_id=1, sku=\"SKU0000001\", product_name=\"Hammer\", category=\"tools\", quantity=3, price=12.50,"))
        #expect(result.stdout.contains("order_date=2024-03-13"))
        #expect(result.stdout.contains("the file would load: 2 rows read, 2 would load, 0 would not"))
    }

    @Test func rowsThatWouldBeQuarantinedAreListedByLineAndExitThree() throws {
        let dir = try TemporaryDirectory()
        let sample = try write(dir, "bad.csv", Self.header + Self.rows + "3;SKU0000003;Pan;kitchen;many;1.00;EUR;02.03.2024;;yes;\n")

        let result = try runBinary(["check", referencePipeline, "--sample", sample])

        #expect(result.status == 3)
        #expect(result.stdout.contains("rows that would be quarantined (1)\n  line 4: column quantity: 'many' is not an integer\n"),
                "\(result.stdout)")
    }

    @Test func aGzipSampleIsSniffedInflated() throws {
        let dir = try TemporaryDirectory()
        let bytes = try SampleGenerator.gzipCompress(Array((Self.header + Self.rows).utf8))
        FileManager.default.createFile(atPath: dir.path("orders.csv.gz"), contents: Data(bytes))

        let result = try runBinary(["check", referencePipeline, "--sample", dir.path("orders.csv.gz")])

        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("    delimiter: \";\"\n"))
    }

    @Test func aSupplierIsComparedWithHowItsFilesAreReadNow() throws {
        let dir = try TemporaryDirectory()
        let sample = try write(dir, "orders.csv", Self.header + Self.rows)

        let result = try runBinary(["check", referencePipeline, "--sample", sample, "--supplier", "supplier-01",
                                    "--set", "source.root=\(packageRoot.path)/SampleData/suppliers"])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("  supplier-01:\n    delimiter: \";\""))
        #expect(result.stdout.contains("differences from how supplier-01's files are read now\n  delimiter: \";\" in the sample, \",\" now\n"
                                       + "  date_format: DD.MM.YYYY in the sample, not set now\n"), "\(result.stdout)")
    }

    @Test func aHeaderWithoutARequiredColumnExitsThree() throws {
        let dir = try TemporaryDirectory()
        let sample = try write(dir, "short.csv", "order_id,sku\n1,SKU0000001\n")

        let result = try runBinary(["check", referencePipeline, "--sample", sample])

        #expect(result.status == 3)
        #expect(result.stdout.contains("missing: product_name (required)"), "\(result.stdout)")
    }

    @Test func usageMistakesExitSixtyFour() throws {
        let dir = try TemporaryDirectory()
        let sample = try write(dir, "orders.csv", Self.header + Self.rows)
        #expect(try runBinary(["check", referencePipeline, "--supplier", "supplier-01"]).status == 64)
        #expect(try runBinary(["check", referencePipeline, "--sample", dir.path("absent.csv")]).status == 64)
        let unknown = try runBinary(["check", referencePipeline, "--sample", sample, "--supplier", "nobody"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--supplier nobody"))
    }

    @Test func controlCharactersFromTheFileAreEscaped() throws {
        let dir = try TemporaryDirectory()
        let sample = try write(dir, "evil.csv", "order_id,sku\u{1B}[2J,quantity\n1,A,2\n")

        let result = try runBinary(["check", referencePipeline, "--sample", sample])

        #expect(!result.stdout.contains("\u{1B}"))
        #expect(result.stdout.contains("sku\\u{1B}[2J"))
    }
}
