/// What became of one input row.
enum RowOutcome: Equatable {
    case loaded
    case filtered
    case invalid(String)
}

/// Validates and transforms the rows of one file into a `RowBatch`, on bytes.
struct RowProcessor {
    /// The schema's validators, kept alive for `tables`, which reaches them unretained.
    private let validators: [ColumnValidator]
    private let tables: RowTables
    private let headerCount: Int
    private let plan: OutputPlan
    /// Per filter, the expanded template of its column snapshot (templates only).
    private let filterConstants: [[UInt8]?]
    /// Text that validation rewrote for the current row; `ValidatedValue.rewritten` points into it.
    private var rewrites: [UInt8] = []
    /// The profile's null texts and trimming, applied to each field before it is validated.
    private let fieldRules: FieldRules
    /// The file's header columns the schema does not name, when they are kept in `_extra`.
    private let extras: ExtraFields?

    /// Maps this file's header onto the schema with the default profile.
    /// - Throws: `ReadError(.malformedHeader)` for duplicate or empty names, or a missing required column.
    init(schema: SchemaDefinition, plan: OutputPlan, header: [String], templateValues: [String: String],
         validators: [ColumnValidator]? = nil) throws {
        let mapping = try HeaderMapping(header: header, schema: schema, profile: SupplierProfile())
        self.init(schema: schema, plan: plan, mapping: mapping, profile: SupplierProfile(),
                  templateValues: templateValues, validators: validators)
    }

    /// - Parameter validators: the schema's validators for this supplier's profile, built once
    ///   per run and shared by the supplier's files.
    init(schema: SchemaDefinition, plan: OutputPlan, mapping: HeaderMapping, profile: SupplierProfile,
         templateValues: [String: String], validators: [ColumnValidator]? = nil) {
        self.validators = validators ?? schema.columns.map { ColumnValidator($0, profile: profile) }
        var constants: [UInt8] = []
        let fills = plan.plannedColumns.map { column in
            let start = constants.count
            if let bytes = Self.constant(of: column, templateValues) { constants += bytes }
            let input = switch column.source {
            case .input(let index): index
            case .template: RowTables.Fill.template
            case .extra: RowTables.Fill.extra
            }
            return RowTables.Fill(input: input, constant: start..<constants.count, trim: column.trim,
                                  caseChange: column.caseChange)
        }
        tables = RowTables(validators: self.validators, fieldIndex: mapping.fieldIndex,
                           fills: fills, constants: constants)
        headerCount = mapping.header.count
        self.plan = plan
        filterConstants = plan.filters.map { Self.constant(of: $0.column, templateValues) }
        fieldRules = FieldRules(profile)
        extras = profile.extraColumns == .keep ? ExtraFields(mapping.extra) : nil
    }

    /// Validates `row` and, if it passes and survives the filters, appends it to `batch`.
    mutating func process(_ row: RawRow, rowNumber: Int, into batch: inout RowBatch) -> RowOutcome {
        guard row.fieldCount == headerCount else {
            return .invalid("expected \(headerCount) fields, found \(row.fieldCount)")
        }
        return row.fieldBytes.withUnsafeBufferPointer { bytes in
            let ascii = ByteParsers.isASCIIWithoutNUL(bytes)
            if !ascii, let problem = Self.textProblem(bytes, row) { return .invalid(problem) }
            rewrites.removeAll(keepingCapacity: true)
            let (validators, fieldIndex, values) = (tables.validators, tables.fieldIndex, tables.values)
            var failure: String?
            for column in 0..<validators.count {
                let index = fieldIndex[column]
                guard index >= 0 else { values[column] = .null; continue }
                var range = row.fieldRange(index)
                if fieldRules.applies { range = fieldRules.apply(bytes, range) }
                let verdict = validators[column]._withUnsafeGuaranteedRef {
                    $0.validate(bytes, range, rewrites: &rewrites, ascii: ascii)
                }
                switch verdict {
                case .success(let value): values[column] = value
                case .failure(let issue): failure = issue.reason
                }
                if failure != nil { break }
            }
            if let failure { return .invalid(failure) }
            return append(bytes, row, ascii: ascii, rowNumber: rowNumber, into: &batch)
        }
    }

    /// NUL bytes or invalid UTF-8 in any field, checked per field so that a sequence split
    /// across two fields is caught (rows that are ASCII without NUL, the common case, skip this).
    private static func textProblem(_ bytes: UnsafeBufferPointer<UInt8>, _ row: RawRow) -> String? {
        for field in 0..<row.fieldCount {
            let range = row.fieldRange(field)
            guard let bad = ByteParsers.firstInvalidTextByte(UnsafeBufferPointer(rebasing: bytes[range])) else { continue }
            let byte = bytes[range.lowerBound + bad]
            let what = byte == 0 ? "a NUL byte (NUL is rejected so every sink stores the same text)"
                : "invalid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) at byte \(rawOffset(of: byte, row)) of the file; declare encoding: latin1 if the supplier sends Latin-1)"
            return "field \(field + 1) contains \(what)"
        }
        return nil
    }

    /// A template column's value for one file, with its trim and case applied.
    private static func constant(of column: OutputPlan.Column, _ values: [String: String]) -> [UInt8]? {
        guard case .template(let template) = column.source else { return nil }
        let bytes = Array(OutputPlan.expand(template, values: values).utf8)
        return bytes.withUnsafeBufferPointer { transformText($0, column) }
    }

    /// Where the offending byte sits in the file: the row's offset plus its place in the raw text.
    private static func rawOffset(of byte: UInt8, _ row: RawRow) -> Int64 {
        let index = row.withRaw { ByteParsers.firstInvalidTextByte($0) ?? $0.firstIndex(of: byte) } ?? 0
        return row.offset + Int64(index)
    }

    /// - Parameter ascii: the row's fields are all ASCII, so a case change needs no check of its own.
    private func append(_ bytes: UnsafeBufferPointer<UInt8>, _ row: RawRow, ascii: Bool, rowNumber: Int,
                        into batch: inout RowBatch) -> RowOutcome {
        for (index, filter) in plan.filters.enumerated() where !passes(filter, bytes, constant: filterConstants[index]) {
            return .filtered
        }
        let (fills, values, constants) = (tables.fills, tables.values, tables.constants)
        for fill in fills {
            let cell: Cell
            if fill.input == RowTables.Fill.extra {
                cell = extras?.append(bytes, row, into: &batch) ?? .null
            } else if fill.input < 0 {
                cell = batch.appendText(UnsafeBufferPointer(rebasing: constants[fill.constant]))
            } else {
                switch values[fill.input] {
                case .null: cell = .null
                case .integer(let v): cell = .integer(v)
                case .real(let v): cell = .real(v)
                case .text(let range):
                    cell = Self.appendTransformed(UnsafeBufferPointer(rebasing: bytes[range]), ascii: ascii,
                                                  trim: fill.trim, caseChange: fill.caseChange, into: &batch)
                case .rewritten(let range):
                    cell = rewrites.withUnsafeBufferPointer {
                        Self.appendTransformed(UnsafeBufferPointer(rebasing: $0[range]), ascii: false,
                                               trim: fill.trim, caseChange: fill.caseChange, into: &batch)
                    }
                }
            }
            batch.cells.append(cell)
        }
        batch.rowNumbers.append(Int64(rowNumber))
        return .loaded
    }

    /// Appends the field to the batch arena with the column's trim and case applied, without
    /// an intermediate copy for ASCII text.
    /// - Parameter ascii: the field is known to be ASCII; when false it is checked here.
    private static func appendTransformed(_ field: UnsafeBufferPointer<UInt8>, ascii: Bool, trim: Bool,
                                          caseChange: OutputPlan.CaseChange, into batch: inout RowBatch) -> Cell {
        let text = trim ? trimmed(field) : field
        guard caseChange != .none else { return batch.appendText(text) }
        guard ascii || text.allSatisfy({ $0 < 0x80 }) else {
            return transformText(text, trim: false, caseChange: caseChange).withUnsafeBufferPointer { batch.appendText($0) }
        }
        let cell = batch.appendText(text)
        let (low, high, shift): (UInt8, UInt8, Int8) = caseChange == .upper ? (97, 122, -32) : (65, 90, 32)
        for index in (batch.arena.count - text.count)..<batch.arena.count where (low...high).contains(batch.arena[index]) {
            batch.arena[index] = UInt8(Int8(bitPattern: batch.arena[index]) + shift)
        }
        return cell
    }

    private static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = field.count
        while start < end, isSpace(field[start]) { start += 1 }
        while end > start, isSpace(field[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: field[start..<end])
    }

    /// Trim, then upper or lower case: ASCII on bytes, other text through `String`.
    private static func transformText(_ field: UnsafeBufferPointer<UInt8>, _ column: OutputPlan.Column) -> [UInt8] {
        transformText(field, trim: column.trim, caseChange: column.caseChange)
    }

    private static func transformText(_ field: UnsafeBufferPointer<UInt8>, trim: Bool, caseChange: OutputPlan.CaseChange) -> [UInt8] {
        let text = trim ? trimmed(field) : field
        switch caseChange {
        case .none:
            return Array(text)
        case .upper, .lower:
            let upper = caseChange == .upper
            if text.allSatisfy({ $0 < 0x80 }) {
                return text.map { byte in
                    if upper, byte >= 97, byte <= 122 { return byte - 32 }
                    if !upper, byte >= 65, byte <= 90 { return byte + 32 }
                    return byte
                }
            }
            let string = String(decoding: text, as: UTF8.self)
            return Array((upper ? string.uppercased() : string.lowercased()).utf8)
        }
    }

    /// Whether the row survives a filter, judged on the column as it was at the filter's step.
    private func passes(_ filter: OutputPlan.Filter, _ bytes: UnsafeBufferPointer<UInt8>, constant: [UInt8]?) -> Bool {
        let matches: Bool
        switch filter.column.source {
        case .template:
            matches = filter.values.contains { $0 == constant }
        case .extra:
            matches = false
        case .input(let input):
            switch tables.values[input] {
            case .null: matches = filter.values.contains { $0.isEmpty }
            case .integer(let v): matches = filter.values.contains { $0.elementsEqual(String(v).utf8) }
            case .real(let v): matches = filter.values.contains { Double(String(decoding: $0, as: UTF8.self)) == v }
            case .text(let range):
                let value = Self.transformText(UnsafeBufferPointer(rebasing: bytes[range]), filter.column)
                matches = filter.values.contains { $0 == value }
            case .rewritten(let range):
                let value = rewrites.withUnsafeBufferPointer { Self.transformText(UnsafeBufferPointer(rebasing: $0[range]), filter.column) }
                matches = filter.values.contains { $0 == value }
            }
        }
        return matches != filter.negate
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 10 }
}
