import Foundation
import Testing
@testable import SluiceCore

/// Parser results flattened into something comparable.
enum Parsed: Equatable, CustomStringConvertible {
    case int(Int64), real(Double), notANumber, overflow, tooManyIntegerDigits, tooManyFractionDigits

    var description: String {
        switch self {
        case .int(let v): "int(\(v))"
        case .real(let v): "real(\(v))"
        case .notANumber: "notANumber"
        case .overflow: "overflow"
        case .tooManyIntegerDigits: "tooManyIntegerDigits"
        case .tooManyFractionDigits: "tooManyFractionDigits"
        }
    }
}

private func integer(_ text: String) -> Parsed {
    withBytes(text) { bytes in
        switch ByteParsers.integer(bytes) {
        case .value(let v): .int(v)
        case .notANumber: .notANumber
        case .overflow: .overflow
        }
    }
}

private func decimal(_ text: String, _ precision: Int, _ scale: Int) -> Parsed {
    withBytes(text) { bytes in
        switch ByteParsers.decimal(bytes, precision: precision, scale: scale) {
        case .value(let v): .real(v)
        case .notANumber: .notANumber
        case .tooManyIntegerDigits: .tooManyIntegerDigits
        case .tooManyFractionDigits: .tooManyFractionDigits
        }
    }
}

@Suite struct ByteParsersTests {
    // MARK: - Integer

    @Test(arguments: [
        ("0", Parsed.int(0)), ("7", .int(7)), ("-7", .int(-7)), ("007", .int(7)), ("-0", .int(0)),
        ("1234567890", .int(1_234_567_890)),
        ("9223372036854775807", .int(.max)), ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .overflow), ("-9223372036854775809", .overflow),
        ("99999999999999999999", .overflow), ("18446744073709551616", .overflow),
        ("", .notANumber), ("-", .notANumber), ("+5", .notANumber), ("--5", .notANumber),
        ("1,000", .notANumber), ("1 000", .notANumber), ("1_000", .notANumber), ("1e5", .notANumber),
        ("1E5", .notANumber), ("1.0", .notANumber), (" 5", .notANumber), ("5 ", .notANumber),
        ("0x1F", .notANumber), ("5-", .notANumber), ("١٢", .notANumber), ("12a", .notANumber),
    ])
    func integerParsing(text: String, expected: Parsed) {
        #expect(integer(text) == expected)
    }

    @Test func integerRoundTripsRandomValues() {
        var rng = SplitMix64(seed: 0x1A7E6E2)
        for _ in 0..<2000 {
            let value = Int64(bitPattern: rng.next()) >> Int64.random(in: 0...62, using: &rng)
            #expect(integer(String(value)) == .int(value), "value \(value)")
        }
    }

    // MARK: - Decimal

    @Test(arguments: [
        ("123.45", 5, 2, Parsed.real(123.45)), ("-123.45", 5, 2, .real(-123.45)), ("0", 5, 2, .real(0)),
        ("999.99", 5, 2, .real(999.99)), ("1", 5, 2, .real(1)), ("1.5", 5, 2, .real(1.5)),
        ("000123.40", 5, 2, .real(123.4)), (".5", 5, 2, .real(0.5)), ("-.5", 5, 2, .real(-0.5)),
        ("0.55", 2, 2, .real(0.55)), ("42", 18, 0, .real(42)),
        ("1234567890.12345", 18, 6, .real(1_234_567_890.12345)),
        // Too many fraction digits is rejected, never rounded.
        ("1.234", 5, 2, .tooManyFractionDigits), ("0.001", 5, 2, .tooManyFractionDigits),
        ("1.0", 5, 0, .tooManyFractionDigits), ("1.5", 3, 0, .tooManyFractionDigits),
        // Too many integer digits for p - s.
        ("1234.5", 5, 2, .tooManyIntegerDigits), ("1000", 5, 2, .tooManyIntegerDigits),
        ("-1000", 5, 2, .tooManyIntegerDigits), ("1.0", 2, 2, .tooManyIntegerDigits),
        // Malformed.
        ("1.2.3", 5, 2, .notANumber), ("", 5, 2, .notANumber), ("-", 5, 2, .notANumber), (".", 5, 2, .notANumber),
        ("1.", 5, 2, .notANumber), ("-1.", 5, 2, .notANumber), ("+1.5", 5, 2, .notANumber), ("1,5", 5, 2, .notANumber),
        ("1e2", 5, 2, .notANumber), ("1.5e2", 5, 2, .notANumber), (" 1.5", 5, 2, .notANumber), ("1.5 ", 5, 2, .notANumber),
        ("1,000.00", 8, 2, .notANumber), ("--1", 5, 2, .notANumber), ("abc", 5, 2, .notANumber), ("NaN", 5, 2, .notANumber),
    ])
    func decimalParsing(text: String, precision: Int, scale: Int, expected: Parsed) {
        #expect(decimal(text, precision, scale) == expected)
    }

    @Test func decimalMatchesFoundationForRandomInRangeValues() {
        var rng = SplitMix64(seed: 0xDEC1)
        for _ in 0..<2000 {
            let precision = Int.random(in: 1...18, using: &rng)
            let scale = Int.random(in: 0...precision, using: &rng)
            let integerDigits = Int.random(in: 0...(precision - scale), using: &rng)
            let fractionDigits = Int.random(in: 0...scale, using: &rng)
            var text = Bool.random(using: &rng) ? "-" : ""
            text += integerDigits == 0 ? "0" : String((0..<integerDigits).map { i in
                Character(String(Int.random(in: (i == 0 ? 1 : 0)...9, using: &rng)))
            })
            if fractionDigits > 0 {
                text += "." + String((0..<fractionDigits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
            }
            let parsed = decimal(text, precision, scale)
            guard case .real(let value) = parsed else {
                Issue.record("\(text) as decimal(\(precision),\(scale)) gave \(parsed)")
                continue
            }
            let reference = Double(text)!
            #expect(abs(value - reference) <= abs(reference) * 1e-15, "\(text): \(value) vs \(reference)")
        }
    }

    // MARK: - Boolean

    @Test(arguments: ["true", "TRUE", "True", "t", "T", "yes", "YES", "Yes", "y", "Y", "1"])
    func trueSpellings(text: String) {
        #expect(withBytes(text) { ByteParsers.boolean($0) } == true)
    }

    @Test(arguments: ["false", "FALSE", "False", "f", "F", "no", "NO", "No", "n", "N", "0"])
    func falseSpellings(text: String) {
        #expect(withBytes(text) { ByteParsers.boolean($0) } == false)
    }

    @Test(arguments: ["", "2", "-1", "on", "off", "truex", "tru", "ye", "yess", " true", "true ", "falsey", "nope", "10", "01", "oui", "ｙｅｓ"])
    func notBooleans(text: String) {
        #expect(withBytes(text) { ByteParsers.boolean($0) } == nil)
    }

    // MARK: - Date

    @Test(arguments: [
        "2024-02-29", "2000-02-29", "2026-01-31", "2026-03-31", "2026-04-30", "2026-12-31", "1999-01-01", "0001-01-01",
    ])
    func validDates(text: String) {
        #expect(withBytes(text) { ByteParsers.isDate($0) })
    }

    @Test(arguments: [
        "2026-02-29", "1900-02-29", "2100-02-29", "2023-02-29", "2024-02-30", "2026-04-31", "2026-06-31",
        "2026-09-31", "2026-11-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
        "2026-1-01", "2026-01-1", "26-01-01", "2026/01/01", "2026.01.01", "20260101", "2026-01-01 ",
        " 2026-01-01", "2026-01-01T00:00", "2026-0a-01", "2026-01-0b", "abcd-01-01", "", "2026-01",
        "01-01-2026", "2026-+1-01",
    ])
    func invalidDates(text: String) {
        #expect(!withBytes(text) { ByteParsers.isDate($0) })
    }

    @Test func everyDayOfFourHundredYearsAgreesWithTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for year in [1900, 1996, 2000, 2023, 2024, 2025, 2100] {
            for month in 1...12 {
                let days = calendar.range(of: .day, in: .month,
                                          for: calendar.date(from: DateComponents(year: year, month: month, day: 1))!)!.count
                for day in 1...31 {
                    let text = String(format: "%04d-%02d-%02d", year, month, day)
                    #expect(withBytes(text) { ByteParsers.isDate($0) } == (day <= days), "\(text)")
                }
            }
        }
    }

    // MARK: - Timestamp

    @Test(arguments: [
        "2026-03-14T09:26:53Z", "2026-03-14T09:26:53", "2026-03-14 09:26:53", "2026-03-14T09:26",
        "2026-03-14 09:26", "2026-03-14T09:26Z", "2026-03-14T09:26:53.5Z", "2026-03-14T09:26:53.123456789Z",
        "2026-03-14T09:26:53.123", "2026-03-14T09:26:53+02:00", "2026-03-14T09:26:53-05:30",
        "2026-03-14T09:26:53+0200", "2026-03-14T09:26:53+02", "2026-03-14T09:26:53.250-08:00",
        "2026-03-14T09:26+01:00", "2026-03-14T00:00:00Z", "2026-03-14T23:59:59Z", "2026-12-31T23:59:60Z",
        "2024-02-29T12:00:00Z", "2026-03-14T09:26:53+23:59", "2026-03-14T09:26:53-00:00",
    ])
    func validTimestamps(text: String) {
        #expect(withBytes(text) { ByteParsers.isTimestamp($0) })
    }

    @Test(arguments: [
        "2026-03-14T24:00:00Z", "2026-03-14T25:00", "2026-03-14T09:60", "2026-03-14T09:26:61",
        "2026-03-14T9:26:53", "2026-03-14T09:2", "2026-03-14", "2026-03-14T", "2026-03-14t09:26:53",
        "2026-03-14_09:26:53", "2026-02-29T09:26:53", "2026-13-14T09:26:53", "2026-03-14T09:26:53.",
        "2026-03-14T09:26:53.Z", "2026-03-14T09:26:53.1234567890Z", "2026-03-14T09:26:53ZZ",
        "2026-03-14T09:26:53Z ", "2026-03-14T09:26:53 ", "2026-03-14T09:26:53+2:00", "2026-03-14T09:26:53+02:0",
        "2026-03-14T09:26:53+24:00", "2026-03-14T09:26:53+02:60", "2026-03-14T09:26:53+02:00:00",
        "2026-03-14T09:26:53+", "2026-03-14T09:26:53 UTC", "2026-03-14T09:26:5", "2026-03-14T09:26.5",
        "2026-03-14T09:26:53,123", "2026-03-14T09:26:53z", "", "2026-03-14T09:26:53+0230x",
    ])
    func invalidTimestamps(text: String) {
        #expect(!withBytes(text) { ByteParsers.isTimestamp($0) })
    }

    // MARK: - Characters and UTF-8

    @Test(arguments: [
        ("", 0), ("abc", 3), ("héllo", 5), ("日本語", 3), ("Ωmega", 5), ("😀", 1), ("a😀b", 3), ("€100", 4),
        // Counted in Unicode scalars: a base letter with a combining accent is two.
        ("e\u{301}", 2),
    ])
    func characterCount(text: String, expected: Int) {
        #expect(withBytes(text) { ByteParsers.characterCount($0) } == expected)
        #expect(text.unicodeScalars.count == expected)
    }

    /// The word-at-a-time count against the standard library, at every length and alignment.
    @Test func characterCountAgreesWithUnicodeScalarsOnRandomText() {
        var random = SplitMix64(seed: 20261122)
        let pieces = ["a", "Z", " ", "é", "日", "€", "😀"]
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0..<40, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let offset = Int.random(in: 0..<8, using: &random)
            let bytes = Array(repeating: UInt8(ascii: "x"), count: offset) + Array(text.utf8)
            let counted = bytes.withUnsafeBufferPointer { ByteParsers.characterCount(UnsafeBufferPointer(rebasing: $0[offset...])) }
            #expect(counted == text.unicodeScalars.count, "\(text)")
        }
    }

    @Test func asciiCheckAgreesWithAByteByByteCheck() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            var bytes = (0..<Int.random(in: 0..<40, using: &random)).map { _ in UInt8.random(in: 1...0x7F, using: &random) }
            if !bytes.isEmpty, Bool.random(using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = [0, 0x80, 0xC3, 0xFF].randomElement(using: &random)!
            }
            let expected = !bytes.contains { $0 == 0 || $0 >= 0x80 }
            #expect(withBytes(bytes) { ByteParsers.isASCIIWithoutNUL($0) } == expected, "\(bytes)")
        }
    }

    @Test(arguments: [
        ([UInt8](), Int?.none), (Array("plain ascii".utf8), nil), (Array("héllo wörld €😀".utf8), nil),
        ([0x41, 0x00, 0x42], 1), ([0x00], 0),
        ([0x41, 0xFF], 1), ([0xFE], 0), ([0x80], 0), ([0x41, 0xBF, 0x41], 1),
        ([0xC0, 0x80], 0), ([0xC1, 0xBF], 0),  // overlong two-byte
        ([0xE0, 0x80, 0x80], 0), ([0xE0, 0x9F, 0xBF], 0),  // overlong three-byte
        ([0xED, 0xA0, 0x80], 0), ([0xED, 0xBF, 0xBF], 0),  // UTF-16 surrogates
        ([0xF0, 0x80, 0x80, 0x80], 0), ([0xF0, 0x8F, 0xBF, 0xBF], 0),  // overlong four-byte
        ([0xF4, 0x90, 0x80, 0x80], 0), ([0xF5, 0x80, 0x80, 0x80], 0),  // beyond U+10FFFF
        ([0x61, 0xC3], 1), ([0x61, 0xE2, 0x82], 1), ([0xF0, 0x9F, 0x98], 0),  // truncated at the end
        ([0xC3, 0x41], 0), ([0xE2, 0x41, 0xAC], 0), ([0xF0, 0x9F, 0x41, 0x80], 0),  // bad continuation
        ([0xC2, 0x80], nil), ([0xDF, 0xBF], nil), ([0xE0, 0xA0, 0x80], nil), ([0xED, 0x9F, 0xBF], nil),
        ([0xEE, 0x80, 0x80], nil), ([0xF0, 0x90, 0x80, 0x80], nil), ([0xF4, 0x8F, 0xBF, 0xBF], nil),
    ])
    func firstInvalidTextByte(bytes: [UInt8], expected: Int?) {
        #expect(withBytes(bytes) { ByteParsers.firstInvalidTextByte($0) } == expected)
    }

    /// Random byte strings, biased towards UTF-8 lead and continuation bytes, checked against the standard library.
    @Test func invalidTextDetectionAgreesWithTheStandardLibrary() {
        var rng = SplitMix64(seed: 0x0F7F8)
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                                    0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var validSeen = 0, invalidSeen = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...8, using: &rng)
            let bytes = (0..<count).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            let expectedValid = String(validating: bytes, as: UTF8.self) != nil && !bytes.contains(0)
            let found = withBytes(bytes) { ByteParsers.firstInvalidTextByte($0) }
            #expect((found == nil) == expectedValid, "\(bytes.map { String($0, radix: 16) })")
            if let found {
                invalidSeen += 1
                // Everything before the reported byte is clean text.
                let prefix = Array(bytes[..<found])
                #expect(String(validating: prefix, as: UTF8.self) != nil && !prefix.contains(0),
                        "\(bytes.map { String($0, radix: 16) }) reported at \(found)")
            } else {
                validSeen += 1
            }
        }
        #expect(validSeen > 100 && invalidSeen > 100)
    }
}
