/// How one file of a supplier is laid out in the mixed style: delimiter, encoding, header line,
/// the value in each field, and how its header differs from the schema.
struct FileLayout {
    enum Field: Equatable {
        /// A schema column, by index into `SampleRow.columns`.
        case column(Int)
        /// The `channel` column the schema lacks.
        case channel
    }

    /// The `renamed` style's header names, in schema order.
    static let renamedHeaders = ["Order ID", "SKU", "Product Name", "Category", "Qty", "Unit Price",
                                 "Currency", "Order Date", "Updated At", "In Stock", "Notes"]

    var delimiter = UInt8(ascii: ",")
    var latin1 = false
    /// Decimal comma, `DD.MM.YYYY` dates and Berlin wall-clock timestamps.
    var european = false
    /// Product names with Latin-1 letters (`LatinNames`).
    var accentedNames = false
    /// nil: the file has no header line.
    var header: [String]?
    var fields: [Field]
    var drift = MixedManifest.File.Drift()

    /// File `file` (0-based) of `files` for a supplier of `style` whose uniform column order is `order`.
    init(style: SupplierStyle, order: [Int], file: Int, files: Int) {
        fields = order.map { .column($0) }
        var names = order.map { SampleRow.columns[$0] }
        switch style {
        case .uniform:
            break
        case .euSemicolon:
            delimiter = UInt8(ascii: ";")
            european = true
        case .tabbed:
            delimiter = 9
        case .positional:
            fields = SampleRow.columns.indices.map { .column($0) }
        case .renamed:
            names = order.map { Self.renamedHeaders[$0] }
        case .latin1:
            latin1 = true
            accentedNames = true
        case .extraColumn:
            // In the middle rather than at the end, so that mapping by position would go wrong.
            fields.insert(.channel, at: fields.count / 2)
            names.insert("channel", at: names.count / 2)
            drift.extra = ["channel"]
        case .droppedOptional:
            let notes = order.firstIndex(of: SampleRow.notes)!
            fields.remove(at: notes)
            names.remove(at: notes)
            drift.missing = ["notes"]
        case .headerChange:
            if file >= files / 2 {
                names[order.firstIndex(of: SampleRow.notes)!] = "remarks"
                drift.renamed = ["notes": "remarks"]
            }
        }
        header = style == .positional ? nil : names
    }
}
