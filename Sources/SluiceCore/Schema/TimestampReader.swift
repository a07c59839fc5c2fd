import Foundation

/// Reads a supplier's timestamps into the stored form: its layout (or ISO 8601), and its time
/// zone for timestamps written without one, converted to UTC (`...Z`).
struct TimestampReader: Sendable {
    let layout: DateLayout?
    let zone: ZoneRule?
    private let named: TimeZone?

    init(layout: String?, zone: ZoneRule?) {
        self.layout = layout.map(DateLayout.init)
        self.zone = zone
        if case .named(let name) = zone { named = TimeZone(identifier: name) } else { named = nil }
    }

    /// The stored text of `b`, or nil when it is not a timestamp in this layout.
    func read(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if let layout {
            guard let p = layout.parts(b), Self.valid(p) else { return nil }
            return stored(p, fraction: [])
        }
        guard ByteParsers.isTimestamp(b) else { return nil }
        // A timestamp that names its zone keeps it; ours only fills in a missing one.
        if b.count > 16, b[b.count - 1] == UInt8(ascii: "Z") || b[10...].contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }) {
            return ByteParsers.utcTimestamp(b) ?? Array(b)
        }
        let number = { (at: Int, width: Int) in b[at..<(at + width)].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let hasSeconds = b.count > 16 && b[16] == UInt8(ascii: ":")
        let p = (year: number(0, 4), month: number(5, 2), day: number(8, 2), hour: number(11, 2), minute: number(14, 2),
                 second: hasSeconds ? number(17, 2) : 0)
        let fraction = hasSeconds && b.count > 19 ? Array(b[19...]) : []
        return stored(p, fraction: fraction)
    }

    private static func valid(_ p: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)) -> Bool {
        guard (1...12).contains(p.month), p.day >= 1, p.hour < 24, p.minute < 60, p.second < 61 else { return false }
        let leap = p.year % 4 == 0 && (p.year % 100 != 0 || p.year % 400 == 0)
        return p.day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][p.month - 1]
    }

    /// ISO text, in UTC when a zone is known.
    private func stored(_ p: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int), fraction: [UInt8]) -> [UInt8] {
        let local = ByteParsers.daysFromCivil(p.year, p.month, p.day) * 86_400 + p.hour * 3600 + p.minute * 60 + p.second
        guard let zone else { return Self.iso(local, fraction: fraction, utc: false) }
        let offset: Int
        switch zone {
        case .offset(let minutes): offset = minutes * 60
        case .named:
            // The offset in force at that local time: guessed from the local time read as UTC,
            // then taken again at the instant that guess gives (right across a change but in its gap).
            let guess = named?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))) ?? 0
            offset = named?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - guess))) ?? 0
        }
        return Self.iso(local - offset, fraction: fraction, utc: true)
    }

    private static func iso(_ seconds: Int, fraction: [UInt8], utc: Bool) -> [UInt8] {
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let rest = seconds - days * 86_400
        let (y, m, d) = ByteParsers.civilFromDays(days)
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        let text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2))"
        return Array(text.utf8) + fraction + (utc ? [UInt8(ascii: "Z")] : [])
    }
}
