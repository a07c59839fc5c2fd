/// Value parsers that work on the field's bytes directly, with no `String` in between.
public enum ByteParsers {
    enum IntegerResult { case value(Int64), notANumber, overflow }

    static func integer(_ b: UnsafeBufferPointer<UInt8>) -> IntegerResult {
        var i = 0
        let negative = b.first == UInt8(ascii: "-")
        if negative { i = 1 }
        guard i < b.count else { return .notANumber }
        var value: Int64 = 0
        var overflow = false
        while i < b.count {
            let digit = b[i] &- 48
            guard digit < 10 else { return .notANumber }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? shifted.subtractingReportingOverflow(Int64(digit))
                                      : shifted.addingReportingOverflow(Int64(digit))
            overflow = overflow || o1 || o2
            value = next
            i += 1
        }
        return overflow ? .overflow : .value(value)
    }

    enum DecimalResult { case value(Double), notANumber, tooManyIntegerDigits, tooManyFractionDigits }

    /// `-123.45`: optional minus, digits, optional point and digits. No exponent, no separators.
    static func decimal(_ b: UnsafeBufferPointer<UInt8>, precision: Int, scale: Int) -> DecimalResult {
        var i = 0
        let negative = b.first == UInt8(ascii: "-")
        if negative { i = 1 }
        var mantissa: Int64 = 0
        var integerDigits = 0, fractionDigits = 0, sawPoint = false, sawDigit = false
        while i < b.count {
            let byte = b[i]
            if byte == UInt8(ascii: ".") {
                if sawPoint { return .notANumber }
                sawPoint = true
            } else {
                let digit = byte &- 48
                guard digit < 10 else { return .notANumber }
                sawDigit = true
                if sawPoint {
                    fractionDigits += 1
                    if fractionDigits > scale { return .tooManyFractionDigits }
                } else if mantissa != 0 || digit != 0 {
                    integerDigits += 1
                    if integerDigits > precision - scale { return .tooManyIntegerDigits }
                }
                mantissa = mantissa * 10 + Int64(digit)
            }
            i += 1
        }
        guard sawDigit, !(sawPoint && b.last == UInt8(ascii: ".")) else { return .notANumber }
        let value = Double(mantissa) / powersOfTen[fractionDigits]
        return .value(negative ? -value : value)
    }

    private static let powersOfTen: [Double] = (0...18).map { pow10($0) }
    private static func pow10(_ n: Int) -> Double { n == 0 ? 1 : 10 * pow10(n - 1) }

    static func boolean(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard b.count <= 5 else { return nil }
        var lowered: UInt64 = 0
        for byte in b { lowered = lowered << 8 | UInt64(byte | (byte >= 65 && byte <= 90 ? 0x20 : 0)) }
        switch lowered {
        case word("true"), word("t"), word("yes"), word("y"), word("1"): return true
        case word("false"), word("f"), word("no"), word("n"), word("0"): return false
        default: return nil
        }
    }

    private static func word(_ s: StaticString) -> UInt64 {
        var value: UInt64 = 0
        s.withUTF8Buffer { for byte in $0 { value = value << 8 | UInt64(byte) } }
        return value
    }

    /// `YYYY-MM-DD`, a real calendar day.
    static func isDate(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 10 else { return false }
        return dateAt(b, 0)
    }

    /// `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]]` with an optional `Z`, `±HH`, `±HHMM` or `±HH:MM` zone.
    static func isTimestamp(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 16, dateAt(b, 0), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let hour = number(b, 11, 2), hour < 24, b[13] == UInt8(ascii: ":"),
              let minute = number(b, 14, 2), minute < 60 else { return false }
        var i = 16
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let second = number(b, i + 1, 2), second < 61 else { return false }
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                let start = i + 1
                i = start
                while i < b.count, b[i] &- 48 < 10 { i += 1 }
                guard i > start, i - start <= 9 else { return false }
            }
        }
        guard i < b.count else { return true }
        switch b[i] {
        case UInt8(ascii: "Z"): return i + 1 == b.count
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let zoneHours = number(b, i + 1, 2), zoneHours < 24 else { return false }
            let rest = b.count - (i + 3)
            if rest == 0 { return true }
            if rest == 2, let m = number(b, i + 3, 2) { return m < 60 }
            if rest == 3, b[i + 3] == UInt8(ascii: ":"), let m = number(b, i + 4, 2) { return m < 60 }
            return false
        default: return false
        }
    }

    /// A timestamp with a numeric zone offset, converted to UTC as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    /// Nil when it has no offset (`Z` or none): then it is stored as written.
    static func utcTimestamp(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let zone = b.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }), zone > 10,
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2),
              let zoneHours = number(b, zone + 1, 2) else { return nil }
        var zoneMinutes = 0
        if b.count - zone == 5 { zoneMinutes = number(b, zone + 3, 2) ?? 0 }
        if b.count - zone == 6 { zoneMinutes = number(b, zone + 4, 2) ?? 0 }
        let sign = b[zone] == UInt8(ascii: "+") ? 1 : -1
        let second = b.count > 16 && b[16] == UInt8(ascii: ":") ? number(b, 17, 2) ?? 0 : 0
        let fraction = b.count > 19 && b[19] == UInt8(ascii: ".") ? Array(b[19..<zone]) : []
        var minutes = daysFromCivil(year, month, day) * 1440 + hour * 60 + minute - sign * (zoneHours * 60 + zoneMinutes)
        let days = Int((Double(minutes) / 1440).rounded(.down))
        minutes -= days * 1440
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        let text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(minutes / 60, 2)):\(pad(minutes % 60, 2)):\(pad(second, 2))"
        return Array(text.utf8) + fraction + [UInt8(ascii: "Z")]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A date in a declared layout of `YYYY`, `MM` and `DD` with fixed separators, as `YYYY-MM-DD`.
    static func date(_ b: UnsafeBufferPointer<UInt8>, layout: [UInt8]) -> [UInt8]? {
        guard b.count == layout.count else { return nil }
        var year = [UInt8](), month = [UInt8](), day = [UInt8]()
        for (byte, token) in zip(b, layout) {
            switch token {
            case UInt8(ascii: "Y"): year.append(byte)
            case UInt8(ascii: "M"): month.append(byte)
            case UInt8(ascii: "D"): day.append(byte)
            default: if byte != token { return nil }
            }
        }
        let iso = year + [UInt8(ascii: "-")] + month + [UInt8(ascii: "-")] + day
        return iso.withUnsafeBufferPointer { isDate($0) } ? iso : nil
    }

    private static func dateAt(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        guard let year = number(b, at, 4), b[at + 4] == UInt8(ascii: "-"),
              let month = number(b, at + 5, 2), b[at + 7] == UInt8(ascii: "-"),
              let day = number(b, at + 8, 2), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ width: Int) -> Int? {
        guard at + width <= b.count else { return nil }
        var value = 0
        for i in at..<(at + width) {
            let digit = b[i] &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Characters in valid UTF-8: every byte that does not continue a sequence.
    static func characterCount(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        // Eight bytes at a time: a continuation byte is 10xxxxxx, so its top bit is set and
        // the bit below it (the next bit up after a shift left by one) is clear.
        var continuations = 0
        var i = 0
        if let base = b.baseAddress {
            while i + 8 <= b.count {
                let word = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: i, as: UInt64.self)
                continuations += (word & ~(word << 1) & highBits).nonzeroBitCount
                i += 8
            }
        }
        while i < b.count {
            if b[i] & 0xC0 == 0x80 { continuations += 1 }
            i += 1
        }
        return b.count - continuations
    }

    /// Whether every byte is ASCII and none is NUL: the common case, checked eight bytes at a time.
    static func isASCIIWithoutNUL(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var flagged: UInt64 = 0
        var i = 0
        if let base = b.baseAddress {
            while i + 8 <= b.count {
                let word = UnsafeRawPointer(base).loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // A byte's top bit ends up set if it is 0x80 or above, or if it is zero.
                flagged |= word | ((word &- lowBits) & ~word)
                i += 8
            }
        }
        guard flagged & highBits == 0 else { return false }
        while i < b.count {
            if b[i] == 0 || b[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether the bytes are valid UTF-8 with no NUL; returns the index of the first bad byte.
    static func firstInvalidTextByte(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < b.count {
            let byte = b[i]
            if byte == 0 { return i }
            if byte < 0x80 { i += 1; continue }
            let length: Int
            switch byte {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return i
            }
            guard i + length <= b.count else { return i }
            for k in 1..<length where b[i + k] & 0xC0 != 0x80 { return i }
            let second = b[i + 1]
            if byte == 0xE0 && second < 0xA0 { return i }
            if byte == 0xED && second > 0x9F { return i }
            if byte == 0xF0 && second < 0x90 { return i }
            if byte == 0xF4 && second > 0x8F { return i }
            i += length
        }
        return nil
    }
}
