/// A pipeline definition that cannot be used, with the key path and line that say where.
public struct DefinitionError: Error, CustomStringConvertible, Sendable {
    /// Dotted YAML key path, e.g. `limits.per_supplier_concurrency`.
    public let keyPath: String
    /// 1-based line in the pipeline file, when known.
    public let line: Int?
    public let message: String

    public init(keyPath: String, line: Int?, _ message: String) {
        self.keyPath = keyPath
        self.line = line
        self.message = message
    }

    public var description: String {
        let place = keyPath.isEmpty ? "" : "\(keyPath): "
        let at = line.map { " (line \($0))" } ?? ""
        return "\(place)\(message)\(at)"
    }
}
