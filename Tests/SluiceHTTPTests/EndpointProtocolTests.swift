import Foundation
import SluiceCore
import Testing
@testable import SluiceHTTP

/// The parts of the endpoint protocol that are plain data: listing pages, `Retry-After`,
/// what a status means, and how a version is kept in a fingerprint.
@Suite struct EndpointProtocolTests {
    @Test func aListingPageTakesTimesAsNumbersOrRFC3339() throws {
        let json = """
            {"files": [
              {"name": "a.csv", "size": 10, "etag": "\\"v1\\"", "modified": 1700000000.5},
              {"name": "b/c.csv.gz", "size": 20, "etag": "W/\\"weak\\"", "modified": "2026-12-03T10:00:00Z"},
              {"name": "d.csv", "size": 30, "modified": "2026-12-03T10:00:00.250Z"}
            ], "next": "d.csv"}
            """
        let page = try JSONDecoder().decode(ListingPage.self, from: Data(json.utf8))
        #expect(page.next == "d.csv")
        #expect(page.files.map(\.name) == ["a.csv", "b/c.csv.gz", "d.csv"])
        #expect(page.files[0].modified == 1_700_000_000.5)
        #expect(page.files[1].modified == 1_796_292_000)
        #expect(page.files[2].modified == 1_796_292_000.25)
        #expect(page.files.map(\.strongETag) == ["\"v1\"", nil, nil])
    }

    @Test func theLastPageHasANullCursor() throws {
        let page = try JSONDecoder().decode(ListingPage.self, from: Data(#"{"files": [], "next": null}"#.utf8))
        #expect(page.next == nil && page.files.isEmpty)
    }

    @Test func retryAfterIsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_796_292_000)
        #expect(RetryAfter.parse("7", now: now) == .seconds(7))
        #expect(RetryAfter.parse("Thu, 03 Dec 2026 10:00:30 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Thu, 03 Dec 2026 09:00:00 GMT", now: now) == .zero, "a date past is no wait")
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil, now: now) == nil)
    }

    @Test func statusesSortIntoRetryAfterWaitsBackoffsAndPermanentRefusals() {
        #expect(EndpointAnswer(status: 206, retryAfter: nil) == .ok)
        #expect(EndpointAnswer(status: 429, retryAfter: "2") == .throttled(retryAfter: .seconds(2)))
        #expect(EndpointAnswer(status: 503, retryAfter: nil) == .throttled(retryAfter: nil))
        #expect(EndpointAnswer(status: 502, retryAfter: nil) == .serverError)
        #expect(EndpointAnswer(status: 408, retryAfter: nil) == .serverError, "a request timeout is worth another try")
        #expect(EndpointAnswer(status: 404, retryAfter: nil) == .gone)
        #expect(EndpointAnswer(status: 403, retryAfter: nil) == .refused)
        let throttled = EndpointAnswer(status: 429, retryAfter: "2").readError(429, "x")
        #expect(throttled?.isRetryableNow == true && throttled?.retryAfter == .seconds(2))
        #expect(EndpointAnswer(status: 500, retryAfter: nil).readError(500, "x")?.isRetryableNow == true)
        #expect(EndpointAnswer(status: 401, retryAfter: nil).readError(401, "x")?.isRetryableNow == false)
        #expect(EndpointAnswer(status: 404, retryAfter: nil).readError(404, "x")?.isRetryableNow == false)
    }

    @Test func aFingerprintKeepsTheStrongETagForIfRange() {
        let strong = ListingPage.Entry(name: "x y.csv", size: 1, etag: "\"abc\"", modified: 5)
        #expect(RemoteVersion.etag(of: RemoteVersion.fingerprint(strong)) == "\"abc\"")
        let weak = ListingPage.Entry(name: "x.csv", size: 1, etag: "W/\"abc\"", modified: 5)
        #expect(RemoteVersion.etag(of: RemoteVersion.fingerprint(weak)) == nil, "a weak ETag cannot guard a range")
        let other = ListingPage.Entry(name: "other.csv", size: 1, etag: "\"abc\"", modified: 5)
        #expect(RemoteVersion.fingerprint(other) != RemoteVersion.fingerprint(strong), "equal ETags of two files are not one content")
    }
}
