import Foundation
import SluiceApp
import SluiceCore
import SluiceSample
import Testing

/// The mixed sample loaded by `Pipelines/supplier-mixed.yaml`: the store records the drift
/// `mixed.json` says each file has, and `report` and `status` show it per supplier.
@Suite struct MixedDriftReportTests {
    let dir: TemporaryDirectory
    let arguments: [String]
    let mixed: MixedManifest

    init() throws {
        dir = try TemporaryDirectory()
        var config = SampleConfiguration()
        (config.suppliers, config.filesPerSupplier, config.fileSize, config.seed, config.style) = (20, 4, 6_000, 42, .mixed)
        _ = try SampleGenerator.generate(config, into: dir.url)
        mixed = try JSONDecoder().decode(MixedManifest.self, from: Data(contentsOf: dir.url.appendingPathComponent("mixed.json")))
        arguments = [packageRoot.appendingPathComponent("Pipelines/supplier-mixed.yaml").path,
                     "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(dir.path("staging.sqlite"))",
                     "--set", "schema.max_invalid_ratio=1"]
        let run = try runBinary(["run", "--progress", "0"] + arguments)
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// The drift in Sluice's words: a rename to a name unlike the old one is missing plus extra.
    static func expected(_ drift: MixedManifest.File.Drift) -> String? {
        let missing = drift.missing + drift.renamed.keys.sorted(), extra = drift.extra + drift.renamed.keys.sorted().map { drift.renamed[$0]! }
        let parts = [missing.isEmpty ? nil : "missing " + missing.joined(separator: ", "),
                     extra.isEmpty ? nil : "extra " + extra.joined(separator: ", ")].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    @Test func everyFileRecordsExactlyTheDriftItWasWrittenWith() throws {
        let stored = try query(dir.path("staging.sqlite"), "SELECT supplier, path, drift FROM sluice_files")
        let drift = Dictionary(uniqueKeysWithValues: stored.map { ["\($0[0] ?? "")/\($0[1] ?? "")", $0[2]] }.map { ($0[0]!, $0[1]) })
        #expect(drift.count == 80)
        var drifted = 0
        for supplier in mixed.suppliers {
            for file in supplier.files {
                let want = Self.expected(file.drift)
                #expect(drift["\(supplier.name)/\(file.name)"] == .some(want), "\(supplier.name)/\(file.name)")
                if want != nil { drifted += 1 }
            }
        }
        #expect(drifted == 20, "4 files each for 07, 08, 16, 17 and 2 each for 09, 18")
    }

    @Test func reportAndStatusShowTheDriftAndTheHeaderChangePerSupplier() throws {
        let answer = try runBinary(["report"] + arguments + ["--json"])
        #expect(answer.status == 0, "\(answer.stderr)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(RunReport.self, from: Data(answer.stdout.utf8))
        let changes = report.headerChanges.map { "\($0.supplier) \($0.summary)" }.sorted()
        #expect(changes == ["supplier-09 +remarks, -notes", "supplier-18 +remarks, -notes"])
        for change in report.headerChanges {
            let files = try #require(mixed.suppliers.first { $0.name == change.supplier }?.files)
            #expect(change.file == files.first { !$0.drift.renamed.isEmpty }?.name, "the first file headed remarks")
        }
        let expectedCounts = Dictionary(uniqueKeysWithValues: mixed.suppliers.map { supplier in
            (supplier.name, supplier.files.count { Self.expected($0.drift) != nil })
        }).filter { $0.value > 0 }
        #expect(report.driftedFiles.mapValues(\.count) == expectedCounts)

        let text = try runBinary(["report"] + arguments)
        #expect(text.stdout.contains("supplier-09: header changed at"), "\(text.stdout)")
        #expect(text.stdout.contains("supplier-07: 4 files drifted: extra channel"), "\(text.stdout)")

        let status = try readStatus(loadDefinition(path: arguments[0], overrides: [arguments[2], arguments[4]]).0)
        #expect(Dictionary(uniqueKeysWithValues: status.map { ($0.supplier, $0.filesDrifted) }).filter { $0.value > 0 } == expectedCounts)
        #expect(status.first { $0.supplier == "supplier-08" }?.lastDrift == "missing notes")
        #expect(describeStatus(status).contains("supplier-18: header drift in 2 files, latest: missing notes; extra remarks"))

        let page = dir.path("report.html")
        #expect(try runBinary(["report"] + arguments + ["--html", page]).status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.components(separatedBy: "<tr class=\"supplier-headers\">").count - 1 == expectedCounts.count)
    }
}
