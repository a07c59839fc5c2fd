/// What became of one input row.
enum RowOutcome: Equatable {
    case loaded
    case filtered
    case invalid(String)
}

/// Validates and transforms the rows of one file into a `RowBatch`, on bytes.
struct RowProcessor {
    private let validators: [ColumnValidator]
    /// For each schema column, its field index in this file's header (nil: column absent).
    private let fieldIndex: [Int?]
    private let headerCount: Int
    private let plan: OutputPlan
    /// Per output column, the bytes of its expanded template (templates only).
    private let constants: [[UInt8]?]
    private var values: [ValidatedValue]

    /// Maps this file's header onto the schema.
    /// - Throws: `ReadError(.malformedHeader)` for duplicate or empty names, or a missing required column.
    init(schema: SchemaDefinition, plan: OutputPlan, header: [String], templateValues: [String: String]) throws {
        var positions: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            guard !name.isEmpty else { throw ReadError(.malformedHeader, "header field \(index + 1) is empty", line: 1) }
            guard positions[name] == nil else { throw ReadError(.malformedHeader, "header names '\(name)' twice", line: 1) }
            positions[name] = index
        }
        let missing = schema.columns.filter { $0.required && positions[$0.name] == nil }.map(\.name)
        guard missing.isEmpty else {
            throw ReadError(.malformedHeader, "missing required column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); header is \(header.joined(separator: ","))", line: 1)
        }
        validators = schema.columns.map(ColumnValidator.init)
        fieldIndex = schema.columns.map { positions[$0.name] }
        headerCount = header.count
        self.plan = plan
        constants = plan.plannedColumns.map { column in
            if case .template(let template) = column.source {
                return Array(OutputPlan.expand(template, values: templateValues).utf8)
            }
            return nil
        }
        values = Array(repeating: .null, count: schema.columns.count)
    }

    /// Validates `row` and, if it passes and survives the filters, appends it to `batch`.
    mutating func process(_ row: RawRow, rowNumber: Int, into batch: inout RowBatch) -> RowOutcome {
        guard row.fieldCount == headerCount else {
            return .invalid("expected \(headerCount) fields, found \(row.fieldCount)")
        }
        return row.fieldBytes.withUnsafeBufferPointer { bytes in
            if let bad = ByteParsers.firstInvalidTextByte(bytes) {
                let field = row.fieldEnds.firstIndex { $0 > bad } ?? 0
                let what = bytes[bad] == 0 ? "a NUL byte" : "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)))"
                return .invalid("field \(field + 1) contains \(what)")
            }
            for (column, validator) in validators.enumerated() {
                guard let index = fieldIndex[column] else { values[column] = .null; continue }
                switch validator.validate(bytes, row.fieldRange(index)) {
                case .success(let value): values[column] = value
                case .failure(let issue): return .invalid(issue.reason)
                }
            }
            return append(bytes, rowNumber: rowNumber, into: &batch)
        }
    }

    private func append(_ bytes: UnsafeBufferPointer<UInt8>, rowNumber: Int, into batch: inout RowBatch) -> RowOutcome {
        let arenaMark = batch.arena.count
        let cellMark = batch.cells.count
        for (index, column) in plan.plannedColumns.enumerated() {
            let cell: Cell
            switch column.source {
            case .template:
                cell = constants[index]!.withUnsafeBufferPointer { batch.appendText($0) }
            case .input(let input):
                switch values[input] {
                case .null: cell = .null
                case .integer(let v): cell = .integer(v)
                case .real(let v): cell = .real(v)
                case .text(let range):
                    cell = appendText(UnsafeBufferPointer(rebasing: bytes[range]), column, into: &batch)
                }
            }
            batch.cells.append(cell)
        }
        for filter in plan.filters where !passes(filter, batch, from: cellMark) {
            batch.arena.removeSubrange(arenaMark...)
            batch.cells.removeSubrange(cellMark...)
            return .filtered
        }
        batch.rowNumbers.append(Int64(rowNumber))
        return .loaded
    }

    private func appendText(_ field: UnsafeBufferPointer<UInt8>, _ column: OutputPlan.Column, into batch: inout RowBatch) -> Cell {
        var text = field
        if column.trim {
            var start = 0, end = text.count
            while start < end, isSpace(text[start]) { start += 1 }
            while end > start, isSpace(text[end - 1]) { end -= 1 }
            text = UnsafeBufferPointer(rebasing: text[start..<end])
        }
        switch column.caseChange {
        case .none:
            return batch.appendText(text)
        case .upper, .lower:
            let converted: [UInt8]
            if text.allSatisfy({ $0 < 0x80 }) {
                let upper = column.caseChange == .upper
                converted = text.map { byte in
                    if upper, byte >= 97, byte <= 122 { return byte - 32 }
                    if !upper, byte >= 65, byte <= 90 { return byte + 32 }
                    return byte
                }
            } else {
                let string = String(decoding: text, as: UTF8.self)
                converted = Array((column.caseChange == .upper ? string.uppercased() : string.lowercased()).utf8)
            }
            return converted.withUnsafeBufferPointer { batch.appendText($0) }
        }
    }

    private func passes(_ filter: OutputPlan.Filter, _ batch: RowBatch, from cellMark: Int) -> Bool {
        let cell = batch.cells[cellMark + filter.column]
        let matches: Bool
        switch cell {
        case .text(let start, let count):
            let slice = batch.arena[Int(start)..<Int(start + count)]
            matches = filter.values.contains { $0.elementsEqual(slice) }
        case .integer(let v): matches = filter.values.contains { $0.elementsEqual(String(v).utf8) }
        case .real(let v): matches = filter.values.contains { Double(String(decoding: $0, as: UTF8.self)) == v }
        case .null: matches = filter.values.contains { $0.isEmpty }
        }
        return matches != filter.negate
    }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 10 }
}
