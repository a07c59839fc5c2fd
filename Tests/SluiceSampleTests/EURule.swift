import Foundation

/// Berlin time by the EU rule, written out here to check the generator's time-zone-database
/// conversion against something else: UTC+2 from 01:00 UTC on the last Sunday of March to
/// 01:00 UTC on the last Sunday of October, UTC+1 otherwise.
enum EURule {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func isSummerTime(_ instant: Date) -> Bool {
        let year = utc.component(.year, from: instant)
        return instant >= lastSunday(month: 3, year: year) && instant < lastSunday(month: 10, year: year)
    }

    /// 01:00 UTC on the month's last Sunday.
    static func lastSunday(month: Int, year: Int) -> Date {
        var day = utc.date(from: DateComponents(year: year, month: month, day: 31, hour: 1))!
        while utc.component(.weekday, from: day) != 1 { day -= 86400 }
        return day
    }

    /// Every UTC instant (`YYYY-MM-DDTHH:mm:ssZ`) that Berlin's wall clock shows as `wall`
    /// (`DD.MM.YYYY HH:mm:ss`): one, or two in the hour repeated when summer time ends.
    static func instants(showing wall: String) -> [String] { dates(showing: wall).map(iso) }

    static func dates(showing wall: String) -> [Date] {
        let parts = wall.split(whereSeparator: { $0 == "." || $0 == " " || $0 == ":" }).map { Int($0)! }
        guard parts.count == 6 else { return [] }
        let asUTC = utc.date(from: DateComponents(year: parts[2], month: parts[1], day: parts[0],
                                                  hour: parts[3], minute: parts[4], second: parts[5]))!
        var found: [Date] = []
        let winter = asUTC - 3600, summer = asUTC - 7200
        if isSummerTime(summer) { found.append(summer) }
        if !isSummerTime(winter) { found.append(winter) }
        return found
    }

    static func iso(_ instant: Date) -> String {
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
