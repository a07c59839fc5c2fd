import Foundation
import SluiceCore
import SluiceSample
import Testing

/// The mixed sample holds the uniform sample's rows, each supplier writing them its own way:
/// loaded through `Pipelines/supplier-mixed.yaml`, the staging table must hold the values the
/// uniform sample loads through the reference pipeline, apart from what a supplier's drift
/// takes away (`notes`) or moves into `_extra`.
@Suite struct MixedSampleTableTests {
    static let compared = ["sku", "product_name", "category", "quantity", "price", "currency", "order_date", "updated_at",
                           "in_stock", "notes", "_supplier", "_file", "_row"]

    /// Loads the sample in `style` and returns its staging rows by order id, with `_extra` last.
    func load(_ style: SampleStyle, pipeline: String, into dir: TemporaryDirectory) throws -> [String: [String?]] {
        var config = SampleConfiguration()
        (config.suppliers, config.filesPerSupplier, config.fileSize, config.seed, config.style) = (20, 4, 6_000, 42, style)
        config.invalidRatio = 0.03
        _ = try SampleGenerator.generate(config, into: dir.url)
        let database = dir.path("staging.sqlite")
        let run = try runBinary(["run", "--progress", "0", packageRoot.appendingPathComponent("Pipelines/\(pipeline)").path,
                                 "--set", "source.root=\(dir.path("suppliers"))", "--set", "load.database=\(database)",
                                 "--set", "schema.max_invalid_ratio=1"])
        #expect(run.status == 0, "\(run.stderr)")
        let extra = style == .mixed ? "_extra" : "NULL"
        let rows = try query(database, "SELECT order_id, \(Self.compared.joined(separator: ", ")), \(extra) FROM staging_orders")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0]!, Array($0.dropFirst())) })
    }

    @Test func theMixedSampleLoadsTheUniformSamplesValues() throws {
        let uniformDir = try TemporaryDirectory(), mixedDir = try TemporaryDirectory()
        let uniform = try load(.uniform, pipeline: "supplier-nightly.yaml", into: uniformDir)
        let mixed = try load(.mixed, pipeline: "supplier-mixed.yaml", into: mixedDir)
        let manifest = try JSONDecoder().decode(MixedManifest.self, from: Data(contentsOf: mixedDir.url.appendingPathComponent("mixed.json")))
        let suppliers = Dictionary(uniqueKeysWithValues: manifest.suppliers.map { ($0.name, $0) })
        let ambiguous = Set(manifest.suppliers.flatMap(\.files).flatMap { $0.ambiguousLocalTimes ?? [] }.map(String.init))
        #expect(uniform.count > 4_000 && mixed.count == uniform.count)

        let column = { (name: String) in Self.compared.firstIndex(of: name)! }
        var differences: [String] = [], extras = 0
        for (id, want) in uniform {
            guard let got = mixed[id] else { differences.append("\(id): not loaded"); continue }
            let supplier = try #require(suppliers[want[column("_supplier")] ?? ""])
            let file = try #require(supplier.files.first { $0.name == want[column("_file")] })
            var expected = Array(want.dropLast())
            if let words = supplier.productNameWords, let name = expected[column("product_name")] {
                let first = String(name.prefix { $0 != " " })
                expected[column("product_name")] = (words[first] ?? first) + name.dropFirst(first.count)
            }
            let extra = try got.last!.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            if file.drift.missing.contains("notes") || file.drift.renamed["notes"] != nil {
                // A dropped or renamed optional column loads as NULL; a renamed one's values go to `_extra`.
                if let header = file.drift.renamed["notes"] {
                    let moved = extra?[header]?.trimmingCharacters(in: .whitespaces)
                    if moved != (expected[column("notes")] ?? "") { differences.append("\(id): _extra \(String(describing: extra))") }
                    extras += 1
                }
                expected[column("notes")] = nil
            } else if !file.drift.extra.isEmpty {
                if extra.map({ Set($0.keys) }) != Set(file.drift.extra) { differences.append("\(id): _extra \(String(describing: extra))") }
                extras += 1
            } else if extra != nil {
                differences.append("\(id): unexpected _extra \(String(describing: extra))")
            }
            if ambiguous.contains(id) { expected[column("updated_at")] = got[column("updated_at")] }
            if Array(got.dropLast()) != expected { differences.append("\(id): \(got) != \(expected)") }
        }
        #expect(differences.isEmpty, "\(differences.count) rows differ, first: \(differences.prefix(3))")
        #expect(extras > 300, "the extra-column and renamed suppliers' rows carry `_extra`")
    }
}
