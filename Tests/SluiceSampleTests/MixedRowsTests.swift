import Foundation
@testable import SluiceSample
import Testing

/// The mixed style writes the uniform style's rows, file for file, only each supplier its own way.
@Suite struct MixedRowsTests {
    /// Reads each mixed file back by the supplier's own rules and compares it, row by row and
    /// value by value, with the uniform file of the same name.
    @Test func mixedWritesTheSameRowsAsUniform() throws {
        let uniform = try GeneratedSample(.small(.uniform))
        let mixed = try GeneratedSample(.small(.mixed))
        var counts = uniform.manifest, mixedCounts = mixed.manifest
        (counts.bytes, mixedCounts.bytes) = (0, 0)
        #expect(counts == mixedCounts)
        let manifest = try mixed.mixedManifest()
        #expect(mixed.suppliers == uniform.suppliers)
        #expect(manifest.suppliers.map(\.name) == uniform.suppliers)
        var offsets: Set<Int> = []
        var rows = 0
        for (index, supplier) in uniform.suppliers.enumerated() {
            let style = SupplierStyle.of(supplier: index)
            let entry = manifest.suppliers[index]
            #expect(entry.style == style)
            // Same names, so the same files and the same gzip choice.
            #expect(mixed.files(supplier) == uniform.files(supplier), "\(supplier)")
            for (file, drift) in zip(uniform.files(supplier), entry.files) {
                let expected = try readCSV(uniform.text(supplier, file))
                var reading = MixedReading(style: style, supplier: entry)
                let got = try reading.records(mixed.text(supplier, file))
                #expect(got.count == expected.records.count, "\(supplier)/\(file)")
                for (number, (record, read)) in zip(expected.records, got).enumerated() {
                    var want = Dictionary(uniqueKeysWithValues: zip(expected.header, record))
                    if style == .droppedOptional { want["notes"] = nil }
                    var have = read
                    if let both = have["updated_at"], both.contains("|") {
                        #expect(both.split(separator: "|").contains(Substring(want["updated_at"]!)))
                        have["updated_at"] = want["updated_at"]
                    }
                    if have != want {
                        Issue.record("\(supplier) (\(style)) \(file) row \(number + 1):\n  mixed   \(have.sorted { $0.key < $1.key })\n  uniform \(want.sorted { $0.key < $1.key })")
                        break
                    }
                }
                #expect(reading.ambiguous == drift.ambiguousLocalTimes ?? [], "\(supplier)/\(file)")
                offsets.formUnion(reading.offsets)
                rows += got.count
            }
        }
        #expect(rows == uniform.manifest.rows)
        // Timestamps from winter and summer time both came back to their instants.
        #expect(offsets == [3600, 7200])
    }

    /// Enough eu-semicolon rows that some fall in the hour repeated when summer time ends: they
    /// read back to two instants, one of them the uniform one, and `mixed.json` lists them.
    @Test func ambiguousBerlinTimesAreListed() throws {
        var config = SampleConfiguration.small(.mixed, seed: 3)
        config.suppliers = 2
        config.fileSize = 200_000
        let mixed = try GeneratedSample(config)
        var uniformConfig = config
        uniformConfig.style = .uniform
        let uniform = try GeneratedSample(uniformConfig)
        let entry = try mixed.mixedManifest().suppliers[1]
        #expect(entry.style == .euSemicolon)
        var listed: [Int] = []
        for (file, drift) in zip(mixed.files("supplier-02"), entry.files) {
            var reading = MixedReading(style: .euSemicolon, supplier: entry)
            let records = try reading.records(mixed.text("supplier-02", file))
            let expected = try readCSV(uniform.text("supplier-02", file))
            let utc = Dictionary(uniqueKeysWithValues: expected.records.map { record in
                (Int(record[expected.header.firstIndex(of: "order_id")!])!, record[expected.header.firstIndex(of: "updated_at")!])
            })
            for record in records where record["updated_at"]!.contains("|") {
                let id = Int(record["order_id"]!)!
                #expect(record["updated_at"]!.split(separator: "|").contains(Substring(utc[id]!)))
            }
            #expect(reading.ambiguous == drift.ambiguousLocalTimes ?? [])
            listed += drift.ambiguousLocalTimes ?? []
        }
        #expect(!listed.isEmpty, "seed 3 was chosen to give some; without any this test checks nothing")
    }

    /// The latin1 supplier's files are ISO-8859-1 bytes, not UTF-8; the uniform style's are ASCII.
    @Test func latin1FilesHoldLatin1Bytes() throws {
        let uniform = try GeneratedSample(.small(.uniform))
        let mixed = try GeneratedSample(.small(.mixed))
        let latin1Letters = Set(LatinNames.words.values.flatMap { word in
            word.unicodeScalars.filter { $0.value > 127 }.map { UInt8($0.value) }
        })
        var checked = 0
        for (index, supplier) in mixed.suppliers.enumerated() where SupplierStyle.of(supplier: index) == .latin1 {
            for file in mixed.files(supplier) {
                let text = try mixed.text(supplier, file)
                let high = Set(text.filter { $0 > 127 })
                #expect(!high.isEmpty && high.isSubset(of: latin1Letters), "\(supplier)/\(file): \(high.sorted())")
                #expect(String(validating: text, as: UTF8.self) == nil, "\(supplier)/\(file) is valid UTF-8")
                #expect(try uniform.text(supplier, file).allSatisfy { $0 < 128 })
                checked += 1
            }
        }
        #expect(checked == 8)
    }
}
