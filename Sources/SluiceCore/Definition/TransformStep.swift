/// One declarative transform step, applied in order after validation.
public enum TransformStep: Sendable {
    /// Renames output columns: old name to new name.
    case rename([(from: String, to: String)])
    /// Strips leading and trailing white space.
    case trim([String])
    case upper([String])
    case lower([String])
    /// Adds a column whose value is a template (`${supplier}`, `${file}`, `${pipeline}`).
    case set(column: String, template: String)
    /// Keeps only rows whose column value is (or, with `negate`, is not) in the list.
    case filter(column: String, values: [String], negate: Bool)
}
