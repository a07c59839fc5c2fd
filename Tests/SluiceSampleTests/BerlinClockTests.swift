import Foundation
@testable import SluiceSample
import Testing

/// The `eu-semicolon` supplier's timestamps: UTC instants as Berlin wall time.
@Suite struct BerlinClockTests {
    let clock: BerlinClock

    init() throws { clock = try BerlinClock() }

    @Test(arguments: [
        ("2026-01-15T12:00:00Z", "15.01.2026 13:00:00", false),
        ("2026-07-15T12:00:00Z", "15.07.2026 14:00:00", false),
        // Summer time starts: 02:00 local does not exist.
        ("2026-03-29T00:59:59Z", "29.03.2026 01:59:59", false),
        ("2026-03-29T01:00:00Z", "29.03.2026 03:00:00", false),
        // Summer time ends: 02:00 to 02:59:59 local happens twice.
        ("2026-10-24T23:59:59Z", "25.10.2026 01:59:59", false),
        ("2026-10-25T00:00:00Z", "25.10.2026 02:00:00", true),
        ("2026-10-25T00:59:59Z", "25.10.2026 02:59:59", true),
        ("2026-10-25T01:00:00Z", "25.10.2026 02:00:00", true),
        ("2026-10-25T01:59:59Z", "25.10.2026 02:59:59", true),
        ("2026-10-25T02:00:00Z", "25.10.2026 03:00:00", false),
        // The local date rolls over.
        ("2026-12-31T23:30:00Z", "01.01.2027 00:30:00", false),
        ("2026-02-28T23:00:00Z", "01.03.2026 00:00:00", false),
    ])
    func instantsAcrossDaylightSavingChanges(utc: String, wall: String, ambiguous: Bool) throws {
        let reading = try #require(clock.reading(utc))
        #expect(reading.text == wall)
        #expect(reading.ambiguous == ambiguous)
    }

    /// Every 7 minutes and 13 seconds through 2026 (both changes included): the wall time read
    /// back by the EU rule gives the instant again, and it is ambiguous exactly when it fits two.
    @Test func everyInstantOfTheYearRoundTrips() throws {
        var instant = try #require(BerlinClock.seconds("2026-01-01T00:00:00Z"))
        let end = try #require(BerlinClock.seconds("2027-01-01T00:00:00Z"))
        var offsets: Set<Int> = []
        var ambiguous = 0
        while instant < end {
            let utc = EURule.iso(Date(timeIntervalSince1970: TimeInterval(instant)))
            let reading = try #require(clock.reading(utc))
            let candidates = EURule.instants(showing: reading.text)
            #expect(candidates.contains(utc), "\(utc) shows \(reading.text), which reads back as \(candidates)")
            #expect(reading.ambiguous == (candidates.count == 2), "\(utc) at \(reading.text)")
            if reading.ambiguous { ambiguous += 1 }
            offsets.insert(reading.text == BerlinClock.wallText(instant + 3600) ? 3600 : 7200)
            instant += 433
        }
        #expect(offsets == [3600, 7200])
        #expect(ambiguous > 0)
    }

    @Test func malformedTextIsLeftAlone() {
        #expect(clock.reading("2026-01-15 12:00:00") == nil)
        #expect(clock.reading("") == nil)
    }
}
