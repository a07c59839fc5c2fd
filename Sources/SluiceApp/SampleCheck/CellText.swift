import Foundation
import SluiceCore

/// Typed values of a loaded row as text: numbers bare, text in quotes, null as `null`.
enum CellText {
    /// The row at `index` of `batch`, by staging column.
    static func row(_ index: Int, of batch: RowBatch, _ plan: OutputPlan) -> [(column: String, value: String)] {
        plan.columns.enumerated().map { position, column in
            (column.name, text(batch.cells[index * batch.columnCount + position], column.type, batch.arena))
        }
    }

    static func text(_ cell: Cell, _ type: LogicalType, _ arena: [UInt8]) -> String {
        switch (cell, type) {
        case (.null, _): return "null"
        case (.integer(let value), .boolean): return value == 0 ? "false" : "true"
        case (.integer(let value), _): return String(value)
        case (.real(let value), .decimal(_, let scale)): return String(format: "%.\(scale)f", value)
        case (.real(let value), _): return String(value)
        case (.text(let start, let count), _):
            let text = String(decoding: arena[Int(start)..<Int(start + count)], as: UTF8.self)
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            let quoted = "\"" + shown.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return type == .date || type == .timestamp ? shown : ControlCharacters.escaped(quoted)
        }
    }
}
