import Foundation

/// The declared shape of every input row, with the policy for rows that break it.
public struct SchemaDefinition: Sendable {
    public var columns: [ColumnDefinition]
    public var onInvalid: InvalidRowPolicy
    /// Share of invalid rows (0...1) past which the whole file is quarantined.
    public var maxInvalidRatio: Double
}

/// What to do with a row that fails validation.
public enum InvalidRowPolicy: String, Sendable, CaseIterable {
    /// Keep the row, with its reason, in the quarantine table (the default).
    case quarantine
    /// Skip the row; it is counted as filtered.
    case drop
    /// Quarantine the whole file at the first invalid row.
    case fail
}

/// One declared input column and its rules.
public struct ColumnDefinition: Sendable {
    public var name: String
    public var type: ColumnType
    public var required: Bool
    public var minimum: Double?
    public var maximum: Double?
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    public var allowed: [String]?
    /// For dates: the layout suppliers use, e.g. `DD/MM/YYYY`; stored as `YYYY-MM-DD`.
    public var format: String?

    public init(name: String, type: ColumnType, required: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
    }
}

/// The value types a column can declare.
public enum ColumnType: Sendable, Equatable, CustomStringConvertible {
    case string
    case integer
    case decimal(precision: Int, scale: Int)
    case boolean
    case date
    case timestamp

    public var description: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .boolean: "boolean"
        case .date: "date"
        case .timestamp: "timestamp"
        }
    }

    /// Parses `string`, `integer`, `decimal(p,s)`, `boolean`, `date` or `timestamp`.
    public init?(parsing text: String) {
        let t = text.replacingOccurrences(of: " ", with: "").lowercased()
        switch t {
        case "string", "text": self = .string
        case "integer", "int": self = .integer
        case "boolean", "bool": self = .boolean
        case "date": self = .date
        case "timestamp": self = .timestamp
        default:
            guard t.hasPrefix("decimal("), t.hasSuffix(")") else { return nil }
            let inner = t.dropFirst("decimal(".count).dropLast()
            let parts = inner.split(separator: ",")
            guard parts.count == 2, let p = Int(parts[0]), let s = Int(parts[1]),
                  p >= 1, p <= 15, s >= 0, s <= p else { return nil }
            self = .decimal(precision: p, scale: s)
        }
    }
}
