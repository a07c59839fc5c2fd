import Foundation

/// What a staging column holds, whatever the backend: each backend maps it to a type of its own
/// (SQLite: INTEGER, REAL, TEXT; PostgreSQL: bigint, numeric(p,s), date, timestamptz, boolean, text).
public enum LogicalType: Sendable, Equatable, CustomStringConvertible {
    case integer
    case decimal(precision: Int, scale: Int)
    case date
    case timestamp
    case boolean
    case text
    /// A JSON object as text (`_extra`): TEXT in SQLite, jsonb in PostgreSQL.
    case json

    public init(_ type: ColumnType) {
        switch type {
        case .integer: self = .integer
        case .decimal(let precision, let scale): self = .decimal(precision: precision, scale: scale)
        case .date: self = .date
        case .timestamp: self = .timestamp
        case .boolean: self = .boolean
        case .string: self = .text
        }
    }

    /// Whether values travel as text (dates and timestamps in their ISO form): what `trim: [all]` trims.
    public var isCarriedAsText: Bool {
        switch self {
        case .text, .date, .timestamp: true
        case .integer, .decimal, .boolean, .json: false
        }
    }

    public var description: String {
        switch self {
        case .integer: "integer"
        case .decimal(let precision, let scale): "decimal(\(precision),\(scale))"
        case .date: "date"
        case .timestamp: "timestamp"
        case .boolean: "boolean"
        case .text: "text"
        case .json: "json"
        }
    }
}

/// One column of the staging table (lineage columns are added by the sink).
public struct OutputColumn: Sendable, Equatable {
    public var name: String
    public var type: LogicalType

    public init(name: String, type: LogicalType) {
        self.name = name
        self.type = type
    }
}

/// The transform steps compiled into per-column instructions, checked against the schema.
public struct OutputPlan: Sendable {
    enum Source: Sendable, Equatable {
        case input(Int)
        case template(String)
        /// The header columns the schema does not name, as one JSON object (`_extra`).
        case extra
    }
    enum CaseChange: Sendable { case none, upper, lower }

    struct Column: Sendable {
        var output: OutputColumn
        var source: Source
        var trim = false
        var caseChange = CaseChange.none
    }

    /// A filter sees its column as it is at the filter's step, not as later steps leave it.
    struct Filter: Sendable {
        var column: Column
        var values: [[UInt8]]
        var negate: Bool
    }

    var plannedColumns: [Column]
    var filters: [Filter]

    /// The staging columns in order.
    public var columns: [OutputColumn] { plannedColumns.map(\.output) }

    /// Template variables a `set` step may use.
    public static let templateVariables = ["supplier", "file", "pipeline"]

    /// The column that keeps header columns the schema does not name.
    public static let extraColumn = "_extra"

    /// Applies `steps` to the schema's columns.
    /// - Parameter extraColumn: whether the plan ends with `_extra` (some supplier keeps extra columns).
    /// - Throws: `DefinitionError` at `transform.N` for a step that names an unknown column.
    public static func compile(schema: SchemaDefinition, steps: [TransformStep], extraColumn: Bool = false) throws -> OutputPlan {
        var columns = schema.columns.enumerated().map { index, column in
            Column(output: OutputColumn(name: column.name, type: LogicalType(column.type)), source: .input(index))
        }
        var filters: [Filter] = []
        for (stepIndex, step) in steps.enumerated() {
            let path = "transform.\(stepIndex)"
            func find(_ name: String) throws -> Int {
                guard let index = columns.firstIndex(where: { $0.output.name == name }) else {
                    let hint = closestMatch(to: name, in: columns.map(\.output.name)).map { ", did you mean \($0)?" } ?? ""
                    throw DefinitionError(keyPath: path, line: nil, "no column named '\(name)' at this step\(hint)")
                }
                return index
            }
            func textColumns(_ names: [String]) throws -> [Int] {
                let all = columns.indices.filter { columns[$0].output.type.isCarriedAsText }
                return names == ["all"] ? all : try names.map(find)
            }
            switch step {
            case .rename(let pairs):
                for (from, to) in pairs {
                    let index = try find(from)
                    if columns.contains(where: { $0.output.name == to }) {
                        throw DefinitionError(keyPath: path, line: nil, "rename to '\(to)': that column already exists")
                    }
                    columns[index].output.name = to
                }
            case .trim(let names): for i in try textColumns(names) { columns[i].trim = true }
            case .upper(let names): for i in try textColumns(names) { columns[i].caseChange = .upper }
            case .lower(let names): for i in try textColumns(names) { columns[i].caseChange = .lower }
            case .set(let name, let template):
                try checkTemplate(template, path: path)
                let column = Column(output: OutputColumn(name: name, type: .text), source: .template(template))
                if let index = columns.firstIndex(where: { $0.output.name == name }) {
                    columns[index] = column
                } else {
                    columns.append(column)
                }
            case .filter(let name, let values, let negate):
                filters.append(Filter(column: columns[try find(name)], values: values.map { Array($0.utf8) }, negate: negate))
            }
        }
        for reserved in ["_supplier", "_file", "_file_id", "_row", Self.extraColumn] where columns.contains(where: { $0.output.name == reserved }) {
            throw DefinitionError(keyPath: "transform", line: nil, "'\(reserved)' is a lineage column Sluice adds itself")
        }
        if extraColumn { columns.append(Column(output: OutputColumn(name: Self.extraColumn, type: .json), source: .extra)) }
        return OutputPlan(plannedColumns: columns, filters: filters)
    }

    private static func checkTemplate(_ template: String, path: String) throws {
        var rest = Substring(template)
        while let open = rest.range(of: "${") {
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw DefinitionError(keyPath: path, line: nil, "unclosed ${ in '\(template)'")
            }
            let name = String(rest[open.upperBound..<close])
            guard templateVariables.contains(name) else {
                throw DefinitionError(keyPath: path, line: nil,
                    "unknown variable ${\(name)}; use \(templateVariables.map { "${\($0)}" }.joined(separator: ", "))")
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    /// Fills a template for one file in a single pass, so a value is inserted literally and
    /// never expanded again.
    static func expand(_ template: String, values: [String: String]) -> String {
        var result = ""
        var rest = Substring(template)
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            result += rest[..<open.lowerBound]
            let name = String(rest[open.upperBound..<close])
            result += values[name] ?? "${\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
