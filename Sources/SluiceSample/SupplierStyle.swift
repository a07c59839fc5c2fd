/// The ways suppliers write their files in the mixed style, assigned by supplier index in this
/// order (supplier-01 is uniform, supplier-02 eu-semicolon, ..., supplier-10 uniform again).
public enum SupplierStyle: String, Sendable, CaseIterable, Codable {
    /// As the uniform style writes.
    case uniform
    /// `;` delimiter, `1.234,50`, `DD.MM.YYYY`, timestamps as Europe/Berlin wall time.
    case euSemicolon = "eu-semicolon"
    /// Tab delimiter.
    case tabbed
    /// No header line; fields in schema order.
    case positional
    /// Header names such as `Order ID` and `Qty`.
    case renamed
    /// ISO-8859-1, with product names that need it.
    case latin1
    /// One more column, `channel`, that the schema lacks.
    case extraColumn = "extra-column"
    /// Never writes the optional `notes` column.
    case droppedOptional = "dropped-optional"
    /// From the middle file on, `notes` is headed `remarks`.
    case headerChange = "header-change"

    /// The style of the supplier at `index` (0 for supplier-01).
    public static func of(supplier index: Int) -> SupplierStyle { allCases[index % allCases.count] }

    /// The profile in `Pipelines/supplier-mixed.yaml` that reads this style; nil where the
    /// pipeline default reads it, and for the drift styles, whose drift is meant to be reported.
    public var profile: String? {
        switch self {
        case .euSemicolon, .tabbed, .positional, .renamed, .latin1: return rawValue
        case .uniform, .extraColumn, .droppedOptional, .headerChange: return nil
        }
    }
}
