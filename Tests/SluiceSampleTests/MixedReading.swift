import Foundation
import SluiceCore
@testable import SluiceSample
import Testing

/// The schema's columns, in schema order.
let schemaColumns = ["order_id", "sku", "product_name", "category", "quantity", "unit_price",
                     "currency", "order_date", "updated_at", "in_stock", "notes"]

/// Reads a mixed-style file back to the uniform style's values by this test's own rules, the
/// way `Pipelines/supplier-mixed.yaml` describes each supplier.
struct MixedReading {
    let style: SupplierStyle
    /// The latin1 supplier's word map from `mixed.json`, reversed: written word to uniform word.
    let uniformWords: [String: String]
    /// UTC offsets seen in Berlin timestamps, in seconds.
    private(set) var offsets: Set<Int> = []
    /// Order ids whose Berlin timestamp fits two instants.
    private(set) var ambiguous: [Int] = []

    init(style: SupplierStyle, supplier: MixedManifest.Supplier) {
        self.style = style
        uniformWords = Dictionary(uniqueKeysWithValues: (supplier.productNameWords ?? [:]).map { ($1, $0) })
    }

    var delimiter: UInt8 {
        switch style {
        case .euSemicolon: return UInt8(ascii: ";")
        case .tabbed: return 9
        default: return UInt8(ascii: ",")
        }
    }

    /// Schema column name to value, one per record.
    mutating func records(_ text: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: String]] {
        let file = try readCSV(text, delimiter: delimiter, encoding: style == .latin1 ? .latin1 : .utf8,
                               sourceLocation: sourceLocation)
        var names = file.header
        var records = file.records
        if style == .positional {
            names = schemaColumns
            records.insert(file.header, at: 0)
        }
        let columns = names.map(schemaName)
        var out: [[String: String]] = []
        for record in records {
            #expect(record.count == columns.count, "\(style): \(record)", sourceLocation: sourceLocation)
            var values: [String: String] = [:]
            for (column, value) in zip(columns, record) {
                if column == "channel" {
                    #expect(["web", "phone", "store"].contains(value), sourceLocation: sourceLocation)
                    continue
                }
                values[column] = try uniform(value, column: column, sourceLocation: sourceLocation)
            }
            if let id = values["order_id"], values["updated_at"]?.contains("|") == true { ambiguous.append(Int(id)!) }
            out.append(values)
        }
        return out
    }

    /// The schema column a header name stands for: `header_match: normalized` with the alias
    /// `Qty` for the renamed supplier, `remarks` for the header-change one.
    private func schemaName(_ header: String) -> String {
        switch style {
        case .renamed:
            if header == "Qty" { return "quantity" }
            return schemaColumns.first { HeaderName.normalized($0) == HeaderName.normalized(header) } ?? header
        case .headerChange:
            return header == "remarks" ? "notes" : header
        default:
            return header
        }
    }

    private mutating func uniform(_ value: String, column: String, sourceLocation: SourceLocation) throws -> String {
        if style == .latin1 && column == "product_name" {
            let first = value.prefix { $0 != " " }
            #expect(first.unicodeScalars.contains { $0.value > 127 }, "\(value)", sourceLocation: sourceLocation)
            let word = try #require(uniformWords[String(first)], "\(value)", sourceLocation: sourceLocation)
            return word + value.dropFirst(first.count)
        }
        guard style == .euSemicolon, !value.isEmpty else { return value }
        switch column {
        case "unit_price":
            return value.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        case "order_date":
            return value.split(separator: ".", omittingEmptySubsequences: false).reversed().joined(separator: "-")
        case "updated_at":
            // Both instants when the wall time fits two, joined by `|`.
            let candidates = EURule.dates(showing: value)
            #expect(!candidates.isEmpty, "\(value)", sourceLocation: sourceLocation)
            for instant in candidates { offsets.insert(EURule.isSummerTime(instant) ? 7200 : 3600) }
            return candidates.map(EURule.iso).joined(separator: "|")
        default:
            return value
        }
    }
}
