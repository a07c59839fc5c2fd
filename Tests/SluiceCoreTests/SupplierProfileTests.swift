import Foundation
import Testing
@testable import SluiceCore

/// Profiles: how a supplier's header maps, how its values read, and the definition errors.
struct SupplierProfileTests {
    static let schemaYAML = """
        schema:
          columns:
            - { name: order_id, type: integer, required: true }
            - { name: quantity, type: integer, required: true }
            - { name: unit_price, type: "decimal(12,2)" }
            - { name: order_date, type: date }
            - { name: updated_at, type: timestamp }
            - { name: notes, type: string }
        load: { database: s.sqlite }
        """

    static func definition(_ profiles: String, source: String = "") throws -> PipelineDefinition {
        let yaml = "pipeline: p\n" + profiles + "\nsource:\n  root: r\n" + source + "\n" + schemaYAML
        return try DefinitionLoader.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/tmp"))
    }

    static let eu = """
        profiles:
          eu: { delimiter: ";", decimal: ",", thousands: ".", date_format: DD.MM.YYYY, timestamp_format: "DD.MM.YYYY HH:mm", timezone: Europe/Berlin, header_match: normalized, aliases: { quantity: [Qty] }, null_values: ["N/A"], trim: true }
        """

    @Test func aSupplierEntryWithoutAPathTakesANamedProfileOverTheDefault() throws {
        let d = try Self.definition(Self.eu, source: "  on_drift: quarantine_file\n  suppliers:\n    - { name: s1, profile: eu, encoding: latin1 }")
        let p = d.profile(for: "s1")
        #expect(p.name == "eu" && p.delimiter == UInt8(ascii: ";") && p.encoding == .latin1 && p.onDrift == .quarantine_file)
        #expect(d.source.suppliers[0].path?.path == "/tmp/r/s1")
        #expect(d.profile(for: "other").delimiter == UInt8(ascii: ","))
        #expect(d.keepsExtraColumns)
    }

    @Test func definitionErrorsNameTheKeyAndSuggest() throws {
        let cases: [(String, String)] = [
            ("profiles:\n  a: { aliases: { quantty: [Qty] } }", "did you mean quantity"),
            ("profiles:\n  a: { aliases: { quantity: [Q], notes: [Q] } }", "claimed by both"),
            ("profiles:\n  a: { delimiter: \"'\", quote: \"'\" }", "the delimiter and the quote"),
            ("profiles:\n  a: { header: absent, columns: [quantity] }", "required order_id"),
            ("profiles:\n  a: { decimal: \";\" }", "decimal is"),
            ("profiles:\n  a: { timezone: Mars/Olympus }", "timezone is"),
            ("profiles:\n  a: { delimter: \";\" }", "did you mean delimiter"),
        ]
        for (profiles, expected) in cases {
            #expect { try Self.definition(profiles) } throws: { "\($0)".contains(expected) }
        }
        #expect { try Self.definition("", source: "  suppliers:\n    - { name: s1, profile: ue }") } throws: { "\($0)".contains("no profile named") }
    }

    @Test func headerMapsByAliasAndNormalizedNamesAndReportsDrift() throws {
        let d = try Self.definition(Self.eu, source: "  suppliers:\n    - { name: s1, profile: eu }")
        let mapping = try HeaderMapping(header: ["Order ID", "Qty", "Unit Price", "order_date", "Updated-At", "Remarks", "channel"],
                                        schema: d.schema, profile: d.profile(for: "s1"))
        #expect(mapping.fieldIndex == [0, 1, 2, 3, 4, nil])
        #expect(mapping.resolved[1].match == .alias && mapping.resolved[0].match == .normalized)
        #expect(mapping.drift.missing == ["notes"] && mapping.drift.extra == ["Remarks", "channel"])
        // Reordered is never drift.
        let reordered = try HeaderMapping(header: ["notes", "updated_at", "order_date", "unit_price", "quantity", "order_id"],
                                          schema: d.schema, profile: SupplierProfile())
        #expect(reordered.drift.isEmpty)
    }

    @Test func headerProblemsRejectTheFileWithAHint() throws {
        let d = try Self.definition(Self.eu, source: "  suppliers:\n    - { name: s1, profile: eu }")
        #expect { try HeaderMapping(header: ["order_id", "Qty", "quantity"], schema: d.schema, profile: d.profile(for: "s1")) }
            throws: { "\($0)".contains("both resolve to column quantity") }
        #expect { try HeaderMapping(header: ["order_id", "Qty"], schema: d.schema, profile: SupplierProfile()) }
            throws: { "\($0)".contains("'Qty' looks like quantity") }
    }

    @Test func valuesReadWithTheSuppliersFormats() throws {
        let d = try Self.definition(Self.eu, source: "  suppliers:\n    - { name: s1, profile: eu }")
        let profile = d.profile(for: "s1")
        let mapping = try HeaderMapping(header: ["order_id", "qty", "unit price", "order_date", "updated_at", "notes", "extra \"x\""],
                                        schema: d.schema, profile: profile)
        let plan = try d.outputPlan()
        var processor = RowProcessor(schema: d.schema, plan: plan, mapping: mapping, profile: profile, templateValues: [:])
        var batch = RowBatch(columnCount: plan.columns.count)
        let fields = ["7", "1.000", "1.234,50", "29.03.2026", "29.03.2026 03:30", " N/A ", "a\"b\\c"]
        #expect(processor.process(rawRow(fields), rowNumber: 1, into: &batch) == .loaded)
        #expect(rows(of: batch) == [[.int(7), .int(1000), .real(1234.5), .text("2026-03-29"), .text("2026-03-29T01:30:00Z"),
                                     .null, .text(#"{"extra \"x\"":"a\"b\\c"}"#)]])
        // A digit group that is not whole thousands is never read as a number.
        let bad = ["7", "1.00", "1,5", "29.03.2026", "", "", ""]
        #expect(processor.process(rawRow(bad), rowNumber: 2, into: &batch) != .loaded)
    }

    @Test func groupedNumbersAreStrict() {
        let format = NumberFormat(decimal: UInt8(ascii: "."), thousands: UInt8(ascii: ","))
        func plain(_ text: String) -> String? {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { field in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, field.count)) { out in
                    ByteParsers.plainNumber(field, format, into: out).map { String(decoding: out[..<$0], as: UTF8.self) }
                }
            }
        }
        #expect(plain("1,234,567.89") == "1234567.89")
        #expect(plain("-12") == "-12")
        #expect(plain("1,23") == nil)
        #expect(plain("1234,567") == nil)
        #expect(plain(",123") == nil)
    }

    @Test func profileKeyIsStableAndChangesWithTheProfile() throws {
        let d = try Self.definition(Self.eu, source: "  suppliers:\n    - { name: s1, profile: eu }")
        let key = ProfileKey.of(d.profile(for: "s1"), schema: d.schema)
        #expect(key == ProfileKey.of(try Self.definition(Self.eu, source: "  suppliers:\n    - { name: s1, profile: eu }").profile(for: "s1"), schema: d.schema))
        var changed = d.profile(for: "s1")
        changed.aliases["notes"] = ["Remarks"]
        #expect(key != ProfileKey.of(changed, schema: d.schema))
    }

    @Test func headerChangesAreFoundInDeliveryOrder() {
        let s = { (file: String, header: String) in
            HeaderSighting(supplier: "s", file: file, digest: stableDigest(header), header: header, drift: nil)
        }
        let changes = HeaderChange.changes(in: [s("1", "a\u{1F}b"), s("2", "a\u{1F}b"), s("3", "b\u{1F}a"), s("4", "a\u{1F}c")])
        #expect(changes.map(\.file) == ["1", "3", "4"])
        #expect(changes.map(\.summary) == ["first header", "same columns, reordered", "+c, -b"])
    }
}
