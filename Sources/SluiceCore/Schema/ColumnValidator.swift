import Foundation

/// A validated value, before transforms: text stays a range of the row's bytes.
enum ValidatedValue {
    case null
    case integer(Int64)
    case real(Double)
    case text(Range<Int>)
    /// Text rewritten by validation (a declared date layout, a timestamp moved to UTC): a range
    /// of the row's rewrite buffer, so that values stay plain data with no reference counting.
    case rewritten(Range<Int>)
}

/// Checks one column's bytes against its declared rules.
///
/// A class: the row loop reaches it by reference, where a struct holding strings and arrays
/// would be copied, with reference counting, for every field.
final class ColumnValidator: @unchecked Sendable {
    let column: ColumnDefinition
    private let allowed: [[UInt8]]?
    private let regex: NSRegularExpression?
    private let dateLayout: [UInt8]?
    /// How the supplier writes numbers; plain ones take the direct parsers.
    private let numbers: NumberFormat
    /// `numbers.isPlain`, kept: every numeric field asks.
    private let plainNumbers: Bool
    /// Set when the supplier's timestamps have a layout or a zone of their own.
    private let timestamps: TimestampReader?

    /// - Parameter profile: how the supplier writes values; a date format in it overrides the column's.
    init(_ column: ColumnDefinition, profile: SupplierProfile = SupplierProfile()) {
        self.column = column
        allowed = column.allowed.map { $0.map { Array($0.utf8) } }
        regex = column.pattern.flatMap { try? NSRegularExpression(pattern: $0) }
        dateLayout = (profile.dateFormat ?? column.format).map { Array($0.utf8) }
        numbers = profile.numbers
        plainNumbers = profile.numbers.isPlain
        timestamps = profile.timestampFormat == nil && profile.timeZone == nil
            ? nil : TimestampReader(layout: profile.timestampFormat, zone: profile.timeZone)
    }

    /// The layout dates are read in, for messages.
    private var dateFormat: String { dateLayout.map { String(decoding: $0, as: UTF8.self) } ?? "YYYY-MM-DD" }

    /// The value of field bytes `range` in `bytes`, or why it is invalid.
    /// - Parameter ascii: the caller knows the field is ASCII, so characters are bytes.
    func validate(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                  rewrites: inout [UInt8], ascii: Bool = false) -> Result<ValidatedValue, RowIssue> {
        let field = UnsafeBufferPointer(rebasing: bytes[range])
        if field.isEmpty {
            return column.required ? .failure(issue("is required but empty", field)) : .success(.null)
        }
        if let allowed, !allowed.contains(where: { Self.equal($0, field) }) {
            return .failure(issue("is not one of \(column.allowed!.joined(separator: ", "))", field))
        }
        switch column.type {
        case .string:
            let length = ascii ? field.count : ByteParsers.characterCount(field)
            if let min = column.minLength, length < min { return .failure(issue("is shorter than \(min) characters", field)) }
            if let max = column.maxLength, length > max { return .failure(issue("is longer than \(max) characters", field)) }
            if let regex {
                let text = String(decoding: field, as: UTF8.self)
                if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                    return .failure(issue("does not match pattern \(column.pattern!)", field))
                }
            }
            return .success(.text(range))
        case .integer where plainNumbers:
            return validateInteger(field, shown: field)
        case .decimal(let precision, let scale) where plainNumbers:
            return validateDecimal(field, precision: precision, scale: scale, shown: field)
        case .integer, .decimal:
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: field.count) { plain in
                guard let count = ByteParsers.plainNumber(field, numbers, into: plain) else {
                    return .failure(issue("is not a \(column.type) written with \(describe(numbers))", field))
                }
                let digits = UnsafeBufferPointer(rebasing: plain[..<count])
                if case .decimal(let precision, let scale) = column.type {
                    return validateDecimal(digits, precision: precision, scale: scale, shown: field)
                }
                return validateInteger(digits, shown: field)
            }
        case .boolean:
            guard let value = ByteParsers.boolean(field) else { return .failure(issue("is not a boolean (true/false, yes/no, 1/0)", field)) }
            return .success(.integer(value ? 1 : 0))
        case .date:
            if let layout = dateLayout {
                guard let iso = ByteParsers.date(field, layout: layout) else {
                    return .failure(issue("is not a date in the declared format \(dateFormat)", field))
                }
                return .success(Self.rewrite(iso, into: &rewrites))
            }
            return ByteParsers.isDate(field) ? .success(.text(range)) : .failure(issue("is not a date (YYYY-MM-DD)", field))
        case .timestamp:
            if let timestamps {
                guard let stored = timestamps.read(field) else {
                    let layout = timestamps.layout == nil ? "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]" : "the declared format"
                    return .failure(issue("is not a timestamp in \(layout)", field))
                }
                return .success(Self.rewrite(stored, into: &rewrites))
            }
            guard ByteParsers.isTimestamp(field) else {
                return .failure(issue("is not a timestamp (YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM])", field))
            }
            guard let utc = ByteParsers.utcTimestamp(field) else { return .success(.text(range)) }
            return .success(Self.rewrite(utc, into: &rewrites))
        }
    }

    /// An integer in plain form; `shown` is the field as delivered, for messages.
    @inline(__always)
    private func validateInteger(_ field: UnsafeBufferPointer<UInt8>, shown: UnsafeBufferPointer<UInt8>) -> Result<ValidatedValue, RowIssue> {
        switch ByteParsers.integer(field) {
        case .value(let v): return bounded(Double(v), shown).map { _ in .integer(v) }
        case .overflow: return .failure(issue("overflows a 64-bit integer", shown))
        case .notANumber: return .failure(issue("is not an integer", shown))
        }
    }

    /// A decimal in plain form; `shown` is the field as delivered, for messages.
    @inline(__always)
    private func validateDecimal(_ field: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int,
                                 shown: UnsafeBufferPointer<UInt8>) -> Result<ValidatedValue, RowIssue> {
        switch ByteParsers.decimal(field, precision: precision, scale: scale) {
        case .value(let v): return bounded(v, shown).map { _ in .real(v) }
        case .notANumber: return .failure(issue("is not a \(column.type)", shown))
        case .tooManyIntegerDigits: return .failure(issue("has more than \(precision - scale) integer digits for \(column.type)", shown))
        case .tooManyFractionDigits: return .failure(issue("has more than \(scale) decimal places for \(column.type)", shown))
        }
    }

    private func describe(_ numbers: NumberFormat) -> String {
        let thousands = numbers.thousands.map { "'\(Character(UnicodeScalar($0)))' between thousands" } ?? "no thousands separator"
        return "decimal '\(Character(UnicodeScalar(numbers.decimal)))' and \(thousands)"
    }

    /// Lengths first, then one `memcmp`: most fields differ from most allowed values in length.
    private static func equal(_ value: [UInt8], _ field: UnsafeBufferPointer<UInt8>) -> Bool {
        value.count == field.count && value.withUnsafeBufferPointer { memcmp($0.baseAddress!, field.baseAddress!, field.count) == 0 }
    }

    private static func rewrite(_ text: [UInt8], into rewrites: inout [UInt8]) -> ValidatedValue {
        let start = rewrites.count
        rewrites.append(contentsOf: text)
        return .rewritten(start..<rewrites.count)
    }

    private func bounded(_ value: Double, _ field: UnsafeBufferPointer<UInt8>) -> Result<Void, RowIssue> {
        if let min = column.minimum, value < min { return .failure(issue("is below the minimum \(format(min))", field)) }
        if let max = column.maximum, value > max { return .failure(issue("is above the maximum \(format(max))", field)) }
        return .success(())
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private func issue(_ what: String, _ field: UnsafeBufferPointer<UInt8>) -> RowIssue {
        let shown = String(decoding: field.prefix(60), as: UTF8.self)
        return RowIssue("column \(column.name): '\(shown)\(field.count > 60 ? "…" : "")' \(what)")
    }
}

/// Why a row was rejected.
struct RowIssue: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
