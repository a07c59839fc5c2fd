import Foundation

/// UTC instants as a wall clock in Europe/Berlin shows them, by the time zone database, so
/// that daylight saving moves the hour on the days it does there.
struct BerlinClock {
    struct Reading: Equatable {
        /// `DD.MM.YYYY HH:mm:ss`.
        var text: String
        /// The wall time occurs twice (the hour repeated when daylight saving ends): written
        /// without an offset, it cannot be read back to one instant.
        var ambiguous: Bool
    }

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "no time zone data for Europe/Berlin, which the mixed style needs" }
    }

    private let zone: TimeZone

    /// - Throws: `Unavailable` when the system has no time zone data for Europe/Berlin.
    init() throws {
        guard let zone = TimeZone(identifier: "Europe/Berlin") else { throw Unavailable() }
        self.zone = zone
    }

    /// `2026-03-29T01:30:00Z` reads `29.03.2026 03:30:00`; nil for text not of that form.
    func reading(_ utc: String) -> Reading? {
        guard let instant = Self.seconds(utc) else { return nil }
        let here = offset(at: instant)
        // Another instant shows the same wall time when an offset from two hours away,
        // applied there, lands on it (daylight saving moves the clock by one hour).
        let ambiguous = [offset(at: instant - 7200), offset(at: instant + 7200)].contains { other in
            other != here && offset(at: instant + here - other) == other
        }
        return Reading(text: Self.wallText(instant + here), ambiguous: ambiguous)
    }

    private func offset(at instant: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// Seconds since 1970 of `YYYY-MM-DDTHH:mm:ssZ`.
    static func seconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        return days(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
    }

    /// `DD.MM.YYYY HH:mm:ss` of seconds since 1970 on a clock without zones.
    static func wallText(_ seconds: Int) -> String {
        let (day, time) = (seconds.floorDiv(86400), seconds - seconds.floorDiv(86400) * 86400)
        let (y, m, d) = civil(days: day)
        let pad = SampleRow.pad
        return "\(pad(d, 2)).\(pad(m, 2)).\(pad(y, 4)) \(pad(time / 3600, 2)):\(pad(time / 60 % 60, 2)):\(pad(time % 60, 2))"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDiv(400)
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (civil_from_days).
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDiv(146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    /// Division rounding toward negative infinity.
    fileprivate func floorDiv(_ divisor: Int) -> Int {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
