import Foundation
import Testing
import Yams
@testable import SluiceCore

/// The sniffer on one kind of supplier file each: what it picks, and what it says it cannot tell.
@Suite struct ProfileSnifferTests {
    private let orders: SchemaDefinition = {
        var s = schema(col("order_id", .integer, required: true), col("sku", .string, required: true),
                       col("quantity", .integer, required: true), col("unit_price", .decimal(precision: 12, scale: 2), required: true),
                       col("order_date", .date, required: true), col("updated_at", .timestamp))
        s.onInvalid = .quarantine
        return s
    }()

    private func sniff(_ text: String) -> ProfileGuess { ProfileSniffer.sniff(Array(text.utf8), schema: orders) }

    /// The rendered profile's keys and values, read back by a YAML parser.
    private func parsedYAML(_ guess: ProfileGuess, name: String = "p") throws -> [String: Any] {
        let document = try #require(try Yams.load(yaml: "profiles:\n" + guess.yaml(name: name)) as? [String: Any])
        let profiles = try #require(document["profiles"] as? [String: Any])
        return try #require(profiles[name] as? [String: Any])
    }

    @Test func semicolonsDecimalCommaThousandsDotAndDottedDates() throws {
        let guess = sniff("""
            order_id;sku;quantity;unit_price;order_date;updated_at
            1;SKU-001;3;1.234,50;13.03.2024;13.03.2024 10:15:00
            2;SKU-002;12;7,25;01.04.2024;01.04.2024 08:00:00
            3;SKU-003;1.200;19,99;28.02.2024;N/A

            """)
        let profile = guess.profile
        #expect(profile.delimiter == UInt8(ascii: ";"))
        #expect(profile.numbers == NumberFormat(decimal: UInt8(ascii: ","), thousands: UInt8(ascii: ".")))
        #expect(profile.dateFormat == "DD.MM.YYYY")
        #expect(profile.timestampFormat == "DD.MM.YYYY HH:mm:ss")
        #expect(profile.nullValues == ["", "N/A"])
        #expect(profile.header == .present && profile.encoding == .utf8 && profile.quote == UInt8(ascii: "\""))
        #expect(guess.mapping.map(\.match) == Array(repeating: .exact, count: 6))
        #expect(guess.headerMaps && guess.unmappedHeaders.isEmpty)
        // 13.03 settles day first: no doubt about dates or separators, only about the timestamps' zone.
        #expect(guess.ambiguities.count == 1 && guess.ambiguities[0].contains("no zone"), "\(guess.ambiguities)")

        let yaml = guess.yaml(name: "eu-semicolon")
        #expect(yaml.contains("    delimiter: \";\"\n"))
        #expect(yaml.contains("    decimal: \",\"\n    thousands: \".\"\n"))
        #expect(yaml.contains("    timestamp_format: \"DD.MM.YYYY HH:mm:ss\"\n"))
        #expect(!yaml.contains("quote:") && !yaml.contains("encoding:") && !yaml.contains("header:"))
        let parsed = try parsedYAML(guess)
        #expect(parsed["delimiter"] as? String == ";" && parsed["thousands"] as? String == ".")
        #expect(parsed["date_format"] as? String == "DD.MM.YYYY")
        #expect(parsed["null_values"] as? [String] == ["", "N/A"])
    }

    @Test func tabSeparated() throws {
        let guess = sniff("""
            order_id\tsku\tquantity\tunit_price\torder_date\tupdated_at
            1\tSKU-001\t3\t12.50\t2024-03-01\t2024-03-01T10:00:00Z
            2\tSKU-002\t5\t7.25\t2024-03-02\t2024-03-02T11:30:00+01:00

            """)
        #expect(guess.profile.delimiter == UInt8(ascii: "\t"))
        #expect(ProfileYAML.changedEntries(guess.profile).map(\.key) == ["delimiter"])
        #expect(guess.ambiguities.isEmpty, "\(guess.ambiguities)")
        #expect(guess.yaml(name: "tabs") == "  tabs:\n    delimiter: \"\\t\"")
        #expect(try parsedYAML(guess)["delimiter"] as? String == "\t")
    }

    @Test func headerless() throws {
        let guess = sniff("""
            1,SKU0000001,3,12.50,2024-03-01,
            2,SKU0000002,5,7.25,2024-03-02,
            3,SKU0000003,1,9.99,2024-03-04,

            """)
        #expect(guess.profile.header == .absent)
        #expect(guess.header == nil)
        #expect(guess.profile.columns == nil, "the fields are in schema order")
        #expect(guess.mapping.map(\.column) == orders.columns.map(\.name))
        #expect(guess.mapping.allSatisfy { $0.match == .position })
        #expect(guess.mapping.first?.header == "field 1")
        #expect(guess.ambiguities.isEmpty, "\(guess.ambiguities)")
        #expect(try parsedYAML(guess)["header"] as? String == "absent")
    }

    @Test func renamedHeadersBecomeNormalizedMatchingAndAliases() throws {
        let guess = sniff("""
            Order ID,SKU,Qty,Unit Price,Order Date,updated_at
            1,SKU-001,3,12.50,2024-03-01,
            2,SKU-002,5,7.25,2024-03-02,

            """)
        #expect(guess.mapping.map(\.column) == orders.columns.map(\.name))
        #expect(guess.mapping.map(\.match) == [.normalized, .normalized, .similar, .normalized, .normalized, .exact])
        #expect(guess.profile.headerMatch == .normalized)
        #expect(guess.profile.aliases == ["quantity": ["Qty"]])
        #expect(guess.headerMaps)
        // A did-you-mean is a guess, and is said to be one.
        #expect(guess.ambiguities.contains { $0.contains("'Qty'") && $0.contains("quantity") }, "\(guess.ambiguities)")
        let parsed = try parsedYAML(guess)
        #expect(parsed["header_match"] as? String == "normalized")
        #expect((parsed["aliases"] as? [String: Any])?["quantity"] as? [String] == ["Qty"])
    }

    @Test func latin1Bytes() throws {
        var bytes = Array("order_id,sku,quantity,unit_price,order_date,updated_at\n1,CAF".utf8)
        bytes += [0xC9] + Array("-1,3,12.50,2024-03-01,\n2,NA".utf8) + [0xEF] + Array("VE,1,2.00,2024-03-02,\n".utf8)
        let guess = ProfileSniffer.sniff(bytes, schema: orders)
        #expect(guess.profile.encoding == .latin1)
        #expect(guess.ambiguities.isEmpty, "\(guess.ambiguities)")
        #expect(guess.headerMaps)
        #expect(try parsedYAML(guess)["encoding"] as? String == "latin1")

        // Bytes that are controls in Latin-1 but text in Windows-1252 (0x80 is € there) are a doubt.
        let euro = ProfileSniffer.sniff(bytes.map { $0 == 0xC9 ? 0x80 : $0 }, schema: orders)
        #expect(euro.profile.encoding == .latin1)
        #expect(euro.ambiguities.contains { $0.contains("Windows-1252") })
    }

    @Test func datesWithEveryDayAtMostTwelveAreReportedAsAmbiguous() throws {
        let rows = """
            order_id,sku,quantity,unit_price,order_date
            1,SKU-001,3,12.50,01/02/2024
            2,SKU-002,5,7.25,03/04/2024
            3,SKU-003,1,9.99,12/11/2024

            """
        let guess = sniff(rows)
        #expect(guess.profile.dateFormat == "DD/MM/YYYY", "picked day first")
        let doubt = try #require(guess.ambiguities.first { $0.contains("DD/MM/YYYY") })
        #expect(doubt.contains("MM/DD/YYYY") && doubt.contains("picked DD/MM/YYYY"))

        let settled = sniff(rows + "4,SKU-004,2,1.00,11/25/2024\n")
        #expect(settled.profile.dateFormat == "MM/DD/YYYY")
        #expect(!settled.ambiguities.contains { $0.contains("DD/MM/YYYY") }, "\(settled.ambiguities)")
    }

    @Test func anExtraColumnIsUnmapped() throws {
        let guess = sniff("""
            order_id,sku,warehouse,quantity,unit_price,order_date,updated_at
            1,SKU-001,north,3,12.50,2024-03-01,
            2,SKU-002,south,5,7.25,2024-03-02,

            """)
        #expect(guess.unmappedHeaders == ["warehouse"])
        #expect(guess.missingColumns.isEmpty && guess.headerMaps)
        #expect(guess.mapping.first { $0.column == "quantity" }?.position == 3)
    }

    @Test func aMissingRequiredColumnMeansTheHeaderCannotMap() throws {
        let guess = sniff("order_id,sku,unit_price,order_date\n1,SKU-001,12.50,2024-03-01\n")
        #expect(guess.missingColumns == ["quantity", "updated_at"])
        #expect(guess.missingRequiredColumns == ["quantity"])
        #expect(!guess.headerMaps)
    }

    @Test func aThreeDigitGroupIsTakenByTheColumnsScaleOrReported() throws {
        // Two decimal places at most: `1,234` can only be a group.
        let grouped = sniff("order_id;sku;quantity;unit_price;order_date\n1;A;1;1,234;2024-03-01\n2;B;1;2,500;2024-03-01\n")
        #expect(grouped.profile.numbers.thousands == UInt8(ascii: ","))
        #expect(grouped.profile.numbers.decimal == UInt8(ascii: "."))

        var wide = orders
        wide.columns[3].type = .decimal(precision: 12, scale: 3)
        let open = ProfileSniffer.sniff(Array("order_id;sku;quantity;unit_price;order_date\n1;A;1;1,234;2024-03-01\n".utf8), schema: wide)
        #expect(open.profile.numbers.decimal == UInt8(ascii: ","))
        #expect(open.ambiguities.contains { $0.contains("'1,234'") && $0.contains("picked decimal ','") }, "\(open.ambiguities)")
    }

    @Test func aDecimalWithGroupsNamesBothSeparators() throws {
        let guess = sniff("order_id;sku;quantity;unit_price;order_date\n1;A;1;1.234,50;2024-03-01\n2;B;1;10.000,00;2024-03-01\n")
        #expect(guess.profile.numbers == NumberFormat(decimal: UInt8(ascii: ","), thousands: UInt8(ascii: ".")))
        #expect(guess.ambiguities.isEmpty, "\(guess.ambiguities)")
    }

    @Test func twoDelimitersThatFitAlikeAreReported() throws {
        let guess = sniff("order_id|sku,x\n1|A,b\n2|C,d\n")
        #expect(guess.ambiguities.contains { $0.contains("'|'") && $0.contains("','") && $0.contains("picked delimiter") },
                "\(guess.ambiguities)")
    }

    @Test func singleQuotesWithBackslashEscapes() throws {
        let guess = sniff("""
            order_id;sku;quantity;unit_price;order_date
            1;'O\\'Brien; big';3;12.50;2024-03-01
            2;'plain';5;7.25;2024-03-02

            """)
        #expect(guess.profile.delimiter == UInt8(ascii: ";"))
        #expect(guess.profile.quote == UInt8(ascii: "'"))
        #expect(guess.profile.escape == .backslash)
        let parsed = try parsedYAML(guess)
        #expect(parsed["quote"] as? String == "'" && parsed["escape"] as? String == "backslash")
    }

    @Test func headerTextFromTheFileIsQuotedInTheYAML() throws {
        var profile = SupplierProfile()
        profile.aliases = ["quantity": ["Order Qty", "yes", "a: b", "tab\there"]]
        let yaml = ProfileYAML.render(profile, name: "odd")
        #expect(!yaml.contains("\t"))
        let document = try #require(try Yams.load(yaml: "profiles:\n" + yaml) as? [String: Any])
        let aliases = ((document["profiles"] as? [String: Any])?["odd"] as? [String: Any])?["aliases"] as? [String: Any]
        #expect(aliases?["quantity"] as? [String] == ["Order Qty", "yes", "a: b", "tab\there"])
    }
}
