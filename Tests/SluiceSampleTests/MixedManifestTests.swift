import Foundation
import SluiceCore
@testable import SluiceSample
import Testing

/// `mixed.json` names each supplier's style and, per file, exactly the drift its header carries.
@Suite struct MixedManifestTests {
    @Test func mixedJSONListsExactlyTheInjectedDrift() throws {
        let mixed = try GeneratedSample(.small(.mixed))
        let manifest = try mixed.mixedManifest()
        #expect(manifest.seed == 42)
        #expect(manifest.suppliers.count == 20)
        var styles: [SupplierStyle: Int] = [:]
        for (index, supplier) in mixed.suppliers.enumerated() {
            let entry = manifest.suppliers[index]
            let style = SupplierStyle.of(supplier: index)
            styles[style, default: 0] += 1
            #expect(entry.name == supplier && entry.style == style)
            let profiled: [SupplierStyle] = [.euSemicolon, .tabbed, .positional, .renamed, .latin1]
            #expect(entry.profile == (profiled.contains(style) ? style.rawValue : nil))
            #expect((entry.productNameWords != nil) == (style == .latin1))
            #expect(entry.files.map(\.name) == mixed.files(supplier))
            for (number, file) in entry.files.enumerated() {
                var want = MixedManifest.File.Drift()
                switch style {
                case .extraColumn: want.extra = ["channel"]
                case .droppedOptional: want.missing = ["notes"]
                // Four files: the change comes with the third.
                case .headerChange where number >= 2: want.renamed = ["notes": "remarks"]
                default: break
                }
                #expect(file.drift == want, "\(supplier)/\(file.name)")
                #expect(style == .euSemicolon || file.ambiguousLocalTimes == nil)

                // And the header itself, matched as the supplier's profile matches it, differs by that.
                guard style != .positional else { continue }
                let reading = MixedReading(style: style, supplier: entry)
                let header = try readCSV(mixed.text(supplier, file.name), delimiter: reading.delimiter,
                                         encoding: style == .latin1 ? .latin1 : .utf8).header
                let matched = header.map { name -> String? in
                    if style == .renamed {
                        if name == "Qty" { return "quantity" }
                        return schemaColumns.first { HeaderName.normalized($0) == HeaderName.normalized(name) }
                    }
                    return schemaColumns.contains(name) ? name : nil
                }
                let missing = Set(schemaColumns).subtracting(matched.compactMap { $0 })
                let extra = Set(zip(header, matched).filter { $0.1 == nil }.map(\.0))
                #expect(missing == Set(want.missing + want.renamed.keys), "\(supplier)/\(file.name): \(header)")
                #expect(extra == Set(want.extra + want.renamed.values), "\(supplier)/\(file.name): \(header)")
            }
        }
        #expect(SupplierStyle.allCases.allSatisfy { styles[$0, default: 0] >= 2 }, "\(styles)")
    }

    /// The key names a test in another language would read.
    @Test func mixedJSONShape() throws {
        let mixed = try GeneratedSample(.small(.mixed))
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: mixed.url.appendingPathComponent("mixed.json"))) as? [String: Any])
        #expect(Set(json.keys) == ["seed", "suppliers"])
        let suppliers = try #require(json["suppliers"] as? [[String: Any]])
        #expect(Set(suppliers[0].keys) == ["name", "style", "files"])
        #expect(Set(suppliers[5].keys) == ["name", "style", "profile", "product_name_words", "files"])
        let file = try #require((suppliers[8]["files"] as? [[String: Any]])?.last)
        #expect(Set(file.keys) == ["name", "drift"])
        let drift = try #require(file["drift"] as? [String: Any])
        #expect(drift["renamed"] as? [String: String] == ["notes": "remarks"])
        #expect(drift["missing"] as? [String] == [] && drift["extra"] as? [String] == [])
    }
}

/// `Pipelines/supplier-mixed.yaml` gives each supplier of the default 20 the profile its style needs.
@Suite struct MixedPipelineTests {
    @Test func pipelineProfilesMatchTheStyles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Pipelines/supplier-mixed.yaml"), encoding: .utf8)
        var listed: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("- { name: supplier-") else { continue }
            let parts = trimmed.dropFirst(2).trimmingCharacters(in: ["{", "}", " "]).components(separatedBy: ", ")
            let fields = Dictionary(uniqueKeysWithValues: parts.map { part -> (String, String) in
                let pair = part.components(separatedBy: ": ")
                return (pair[0], pair[1])
            })
            listed[fields["name"]!] = fields["profile"]
        }
        var expected: [String: String] = [:]
        for index in 0..<20 {
            if let profile = SupplierStyle.of(supplier: index).profile { expected[String(format: "supplier-%02d", index + 1)] = profile }
        }
        #expect(listed == expected)
        for profile in Set(expected.values) { #expect(text.contains("\n  \(profile): {"), "profile \(profile) is defined") }
    }
}
