import Foundation
import Testing

/// The built binary: help, exit codes and the summary on standard output.
@Suite struct CommandLineTests {
    @Test func helpListsTheCommands() throws {
        let result = try runBinary(["--help"])
        #expect(result.status == 0)
        for command in ["run", "stream", "check", "status", "prune", "sample"] { #expect(result.stdout.contains(command)) }
        #expect(result.stdout.contains("Exit codes"))
    }

    @Test func aMistypedKeyExitsTwoNamingTheKeyAndLine() throws {
        let dir = try TemporaryDirectory()
        let text = try String(contentsOfFile: referencePipeline, encoding: .utf8)
            .replacingOccurrences(of: "per_supplier_concurrency:", with: "per_supplier_concurency:")
        try text.write(toFile: dir.path("typo.yaml"), atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.contains("per_supplier_concurency") }! + 1

        let result = try runBinary(["check", dir.path("typo.yaml")])

        #expect(result.status == 2)
        #expect(result.stderr.contains("limits.per_supplier_concurency: unknown key, did you mean per_supplier_concurrency? (line \(line))"))
    }

    @Test func checkPrintsBoundsInTheColumnsOwnType() throws {
        let result = try runBinary(["check", referencePipeline, "--set", "schema.columns.5.minimum=0.5",
                                    "--set", "source.root=\(packageRoot.path)/SampleData/suppliers"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("order_id: integer, required, minimum 1\n"))
        #expect(result.stdout.contains("quantity: integer, required, minimum 0, maximum 100000\n"))
        #expect(result.stdout.contains("unit_price: decimal(12,2), required, minimum 0.50\n"))
        #expect(result.stdout.contains("blank_lines skip"))
    }

    @Test func helpExplainsWaitingForTheStore() throws {
        let result = try runBinary(["help", "run"])
        #expect(result.stdout.contains("--wait"))
        #expect(result.stdout.contains("--wait-timeout <duration>"))
        #expect(result.stdout.contains("exits 75"))
    }

    @Test func runOnSampleDataPrintsAReconciledSummary() throws {
        let dir = try TemporaryDirectory()
        let result = try runBinary(["run", referencePipeline,
                                    "--set", "source.root=\(packageRoot.path)/SampleData/suppliers",
                                    "--set", "load.database=\(dir.path("db.sqlite"))"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("read 1320 = loaded 1311 + quarantined 9 + filtered 0"))
        #expect(try scalar(dir.path("db.sqlite"), "SELECT COUNT(*) FROM staging_orders") == 1311)

        let status = try runBinary(["status", referencePipeline, "--set", "load.database=\(dir.path("db.sqlite"))"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("supplier-03"))

        // Every file is still in the source, so nothing may be pruned, however old.
        let prune = try runBinary(["prune", referencePipeline, "--older-than", "0s", "--dry-run",
                                   "--set", "source.root=\(packageRoot.path)/SampleData/suppliers",
                                   "--set", "load.database=\(dir.path("db.sqlite"))"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.contains("would prune 0 records of 0 files"), "\(prune.stdout)")
    }

    @Test func pruneRefusesADurationItCannotRead() throws {
        let result = try runBinary(["prune", referencePipeline, "--older-than", "a month"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--older-than a month is not a duration"))
    }

    @Test func anUnopenableStoreExitsFour() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("a-directory.sqlite"), withIntermediateDirectories: true)
        let result = try runBinary(["run", referencePipeline,
                                    "--set", "source.root=\(packageRoot.path)/SampleData/suppliers",
                                    "--set", "load.database=\(dir.path("a-directory.sqlite"))"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("a-directory.sqlite"))
    }

    @Test func aQuarantinedFileExitsThree() throws {
        let dir = try TemporaryDirectory()
        let supplier = dir.url.appendingPathComponent("suppliers/acme")
        try FileManager.default.createDirectory(at: supplier, withIntermediateDirectories: true)
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02]).write(to: supplier.appendingPathComponent("cut.csv.gz"))
        let result = try runBinary(["run", referencePipeline, "--set", "source.root=\(dir.path("suppliers"))",
                                    "--set", "load.database=\(dir.path("db.sqlite"))"])
        #expect(result.status == 3)
        #expect(result.stdout.contains("1 files quarantined"))
    }
}
