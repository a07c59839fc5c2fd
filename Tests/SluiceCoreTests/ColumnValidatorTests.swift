import Foundation
import Testing
@testable import SluiceCore

/// A validation result flattened into something comparable; text is read back through its range.
private enum Checked: Equatable, CustomStringConvertible {
    case null, integer(Int64), real(Double), text(String), invalid(String)

    var description: String {
        switch self {
        case .null: "null"
        case .integer(let v): "integer(\(v))"
        case .real(let v): "real(\(v))"
        case .text(let t): "text(\(t))"
        case .invalid(let r): "invalid(\(r))"
        }
    }

    var isInvalid: Bool { if case .invalid = self { true } else { false } }
    var reason: String? { if case .invalid(let r) = self { r } else { nil } }
}

/// Validates `field` placed in the middle of a larger row buffer, so the range arithmetic is exercised too.
private func check(_ column: ColumnDefinition, _ field: [UInt8]) -> Checked {
    let before = Array("left|".utf8), after = Array("|right".utf8)
    let bytes = before + field + after
    let range = before.count..<(before.count + field.count)
    var rewrites: [UInt8] = []
    return bytes.withUnsafeBufferPointer { buffer in
        switch ColumnValidator(column).validate(buffer, range, rewrites: &rewrites) {
        case .success(.null): return .null
        case .success(.integer(let v)): return .integer(v)
        case .success(.real(let v)): return .real(v)
        case .success(.text(let r)): return .text(String(decoding: bytes[r], as: UTF8.self))
        case .success(.rewritten(let r)): return .text(String(decoding: rewrites[r], as: UTF8.self))
        case .failure(let issue): return .invalid(issue.reason)
        }
    }
}

private func check(_ column: ColumnDefinition, _ field: String) -> Checked {
    check(column, Array(field.utf8))
}

private func column(_ type: ColumnType, required: Bool = false, _ configure: (inout ColumnDefinition) -> Void = { _ in }) -> ColumnDefinition {
    var column = ColumnDefinition(name: "col", type: type, required: required)
    configure(&column)
    return column
}

private let allTypes: [ColumnType] = [.string, .integer, .decimal(precision: 10, scale: 2), .boolean, .date, .timestamp]

@Suite struct ColumnValidatorTests {
    // MARK: - Required and empty

    @Test(arguments: allTypes)
    func emptyRequiredFieldIsInvalid(type: ColumnType) {
        let result = check(column(type, required: true), "")
        #expect(result.reason == "column col: '' is required but empty")
    }

    @Test(arguments: allTypes)
    func emptyOptionalFieldIsNull(type: ColumnType) {
        #expect(check(column(type), "") == .null)
    }

    @Test func emptyOptionalFieldSkipsEveryOtherRule() {
        let strict = column(.string) {
            $0.minLength = 3; $0.pattern = "^[A-Z]+$"; $0.allowed = ["ABC"]
        }
        #expect(check(strict, "") == .null)
    }

    @Test func whitespaceIsNotEmpty() {
        #expect(check(column(.string, required: true), " ") == .text(" "))
        #expect(check(column(.integer, required: true), " ").isInvalid)
    }

    // MARK: - String length, in characters

    @Test(arguments: [
        ("abcde", true), ("héllo", true), ("日本語日本", true), ("😀😀😀😀😀", true), ("abcdef", false),
        ("日本語日本語", false), ("héllos", false), ("😀😀😀😀😀😀", false),
    ])
    func maxLengthCountsCharactersNotBytes(text: String, valid: Bool) {
        let result = check(column(.string) { $0.maxLength = 5 }, text)
        if valid {
            #expect(result == .text(text))
        } else {
            #expect(result.reason?.contains("is longer than 5 characters") == true, "\(result)")
        }
    }

    @Test(arguments: [
        ("abc", true), ("日本語", true), ("ñññ", true), ("ab", false), ("日本", false), ("é", false),
    ])
    func minLengthCountsCharactersNotBytes(text: String, valid: Bool) {
        let result = check(column(.string) { $0.minLength = 3 }, text)
        if valid {
            #expect(result == .text(text))
        } else {
            #expect(result.reason?.contains("is shorter than 3 characters") == true, "\(result)")
        }
    }

    @Test func exactLengthBounds() {
        let sku = column(.string) { $0.minLength = 10; $0.maxLength = 10 }
        #expect(check(sku, "SKU-000001") == .text("SKU-000001"))
        #expect(check(sku, "SKU-00001").isInvalid)
        #expect(check(sku, "SKU-0000001").isInvalid)
        #expect(check(sku, "SKÜ-000001") == .text("SKÜ-000001"), "10 characters, 11 bytes")
    }

    // MARK: - Pattern

    @Test(arguments: [
        ("ABC-12", true), ("XYZ-0", true), ("abc-12", false), ("ABC12", false), ("ABC-", false), ("ABCD-12", false),
        (" ABC-12", false),
    ])
    func anchoredPattern(text: String, valid: Bool) {
        let result = check(column(.string) { $0.pattern = "^[A-Z]{3}-[0-9]+$" }, text)
        if valid {
            #expect(result == .text(text))
        } else {
            #expect(result.reason?.contains("does not match pattern ^[A-Z]{3}-[0-9]+$") == true, "\(result)")
        }
    }

    @Test func patternSeesNonASCIIText() {
        let letters = column(.string) { $0.pattern = "^\\p{L}+$" }
        #expect(check(letters, "Zürich") == .text("Zürich"))
        #expect(check(letters, "Zürich1").isInvalid)
        let three = column(.string) { $0.pattern = "^.{3}$" }
        #expect(check(three, "日本語") == .text("日本語"))
        #expect(check(three, "日本").isInvalid)
        #expect(check(three, "a😀b") == .text("a😀b"))
    }

    @Test func patternAndLengthBothApply() {
        let code = column(.string) { $0.pattern = "^[a-z]+$"; $0.maxLength = 3 }
        #expect(check(code, "abc") == .text("abc"))
        #expect(check(code, "abcd").reason?.contains("longer") == true)
        #expect(check(code, "ab1").reason?.contains("pattern") == true)
    }

    // MARK: - Enum

    @Test(arguments: [("EUR", true), ("USD", true), ("eur", false), ("EURO", false), ("EU", false), (" EUR", false)])
    func enumIsExactAndCaseSensitive(text: String, valid: Bool) {
        let result = check(column(.string) { $0.allowed = ["EUR", "USD"] }, text)
        if valid {
            #expect(result == .text(text))
        } else {
            #expect(result.reason == "column col: '\(text)' is not one of EUR, USD", "\(result)")
        }
    }

    @Test func enumWorksOnMultiByteValues() {
        let city = column(.string) { $0.allowed = ["Zürich", "Genève"] }
        #expect(check(city, "Genève") == .text("Genève"))
        #expect(check(city, "Geneve").isInvalid)
    }

    @Test func enumOnAnIntegerColumnComparesTheText() {
        let level = column(.integer) { $0.allowed = ["1", "2"] }
        #expect(check(level, "2") == .integer(2))
        #expect(check(level, "3").isInvalid)
        #expect(check(level, "02").isInvalid)
    }

    // MARK: - Integer

    @Test(arguments: [("42", Int64(42)), ("-42", -42), ("0", 0), ("9223372036854775807", .max), ("-9223372036854775808", .min)])
    func integers(text: String, value: Int64) {
        #expect(check(column(.integer), text) == .integer(value))
    }

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "123456789012345678901234567890"])
    func integerOverflow(text: String) {
        #expect(check(column(.integer), text).reason?.contains("overflows a 64-bit integer") == true)
    }

    @Test(arguments: ["1,000", "1.000", "1 000", "+5", "1e3", "12.0", "abc", "-", "5-", "0x10"])
    func notIntegers(text: String) {
        #expect(check(column(.integer), text).reason == "column col: '\(text)' is not an integer")
    }

    // MARK: - Decimal

    @Test func decimals() {
        let price = column(.decimal(precision: 5, scale: 2))
        #expect(check(price, "123.45") == .real(123.45))
        #expect(check(price, "-0.5") == .real(-0.5))
        #expect(check(price, "7") == .real(7))
        #expect(check(price, "1.234").reason == "column col: '1.234' has more than 2 decimal places for decimal(5,2)")
        #expect(check(price, "1234.5").reason == "column col: '1234.5' has more than 3 integer digits for decimal(5,2)")
        #expect(check(price, "1.2.3").reason == "column col: '1.2.3' is not a decimal(5,2)")
        #expect(check(price, "1e2").reason == "column col: '1e2' is not a decimal(5,2)")
        #expect(check(price, "12,50").isInvalid)
    }

    // MARK: - Boolean, date, timestamp

    @Test(arguments: [("yes", Int64(1)), ("N", 0), ("TRUE", 1), ("0", 0), ("t", 1), ("False", 0)])
    func booleansBecomeIntegers(text: String, value: Int64) {
        #expect(check(column(.boolean), text) == .integer(value))
    }

    @Test func notABoolean() {
        #expect(check(column(.boolean), "maybe").reason?.contains("is not a boolean") == true)
    }

    @Test func datesStayText() {
        #expect(check(column(.date), "2024-02-29") == .text("2024-02-29"))
        #expect(check(column(.date), "2026-02-29").reason == "column col: '2026-02-29' is not a date (YYYY-MM-DD)")
        #expect(check(column(.date), "29/02/2024").isInvalid)
    }

    @Test func timestampsWithAnOffsetMoveToUTCAndOthersStayAsWritten() {
        #expect(check(column(.timestamp), "2026-03-14T09:26:53.5+01:00") == .text("2026-03-14T08:26:53.5Z"))
        #expect(check(column(.timestamp), "2026-01-01T00:30:00+0100") == .text("2025-12-31T23:30:00Z"))
        #expect(check(column(.timestamp), "2024-02-28T23:00-02") == .text("2024-02-29T01:00:00Z"))
        #expect(check(column(.timestamp), "2026-03-14T09:26:53Z") == .text("2026-03-14T09:26:53Z"))
        #expect(check(column(.timestamp), "2026-03-14 09:26") == .text("2026-03-14 09:26"))
        #expect(check(column(.timestamp), "2026-03-14 24:00").reason?.contains("is not a timestamp") == true)
    }

    // MARK: - Minimum and maximum

    @Test(arguments: [("0", "is below the minimum 1"), ("1", nil), ("100", nil), ("101", "is above the maximum 100"), ("-5", "is below the minimum 1")])
    func integerBoundsAreInclusive(text: String, problem: String?) {
        let quantity = column(.integer) { $0.minimum = 1; $0.maximum = 100 }
        let result = check(quantity, text)
        if let problem {
            #expect(result.reason == "column col: '\(text)' \(problem)", "\(result)")
        } else {
            #expect(result == .integer(Int64(text)!))
        }
    }

    @Test(arguments: [("-0.01", "is below the minimum 0"), ("0.00", nil), ("9.99", nil), ("10.00", "is above the maximum 9.99"), ("-0", nil)])
    func decimalBoundsAreInclusive(text: String, problem: String?) {
        let price = column(.decimal(precision: 6, scale: 2)) { $0.minimum = 0; $0.maximum = 9.99 }
        let result = check(price, text)
        if let problem {
            #expect(result.reason == "column col: '\(text)' \(problem)", "\(result)")
        } else {
            #expect(result == .real(Double(text)!))
        }
    }

    @Test func onlyAMinimum() {
        let positive = column(.integer) { $0.minimum = -10 }
        #expect(check(positive, "9223372036854775807") == .integer(.max))
        #expect(check(positive, "-11").isInvalid)
        #expect(check(positive, "-10") == .integer(-10))
    }

    // MARK: - Messages

    @Test func longValuesAreShortenedInTheReason() {
        let short = column(.string) { $0.maxLength = 5 }
        let value = String(repeating: "x", count: 100)
        let reason = check(short, value).reason ?? ""
        #expect(reason.hasPrefix("column col: '" + String(repeating: "x", count: 60) + "…'"))
        #expect(!reason.contains(String(repeating: "x", count: 61)))
    }

    @Test func reasonNamesTheColumn() {
        var sku = ColumnDefinition(name: "sku", type: .string, required: true)
        sku.maxLength = 2
        #expect(check(sku, "abc").reason == "column sku: 'abc' is longer than 2 characters")
    }
}
