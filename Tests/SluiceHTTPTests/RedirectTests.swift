import SluiceCore
import Testing
@testable import SluiceHTTP

/// Which redirects a request follows: none unless the endpoint allows those to its own origin.
@Suite struct RedirectTests {
    let from = "http://127.0.0.1:8080/acme/files?limit=1000"

    @Test func nothingIsFollowedByDefault() {
        #expect(Redirect.follow("/moved/acme/files", from: from, policy: .off) == nil)
    }

    @Test func theSameOriginIsFollowedWhenAllowed() {
        #expect(Redirect.follow("/moved/acme/files?limit=1000", from: from, policy: .sameOrigin)
                == "http://127.0.0.1:8080/moved/acme/files?limit=1000")
        #expect(Redirect.follow("http://127.0.0.1:8080/x", from: from, policy: .sameOrigin) == "http://127.0.0.1:8080/x")
        #expect(Redirect.follow("https://h/x", from: "https://h:443/a", policy: .sameOrigin) == "https://h/x", "443 is https's own port")
    }

    @Test(arguments: ["http://127.0.0.1:8081/acme/files", "https://127.0.0.1:8080/acme/files", "http://localhost:8080/acme/files",
                      "//evil.example/acme/files"])
    func anotherOriginIsNotFollowed(location: String) {
        #expect(Redirect.follow(location, from: from, policy: .sameOrigin) == nil)
    }

    @Test func aRedirectIsARefusalNamingItsLocation() {
        let answer = EndpointAnswer(status: 302, retryAfter: nil, location: "http://elsewhere.example/\u{1B}[2J")
        #expect(answer == .redirected(location: "http://elsewhere.example/\u{1B}[2J"))
        let error = answer.readError(302, "acme/x.csv")
        #expect(error?.kind == .refused && error?.isRetryableNow == false)
        #expect(error?.message.contains("HTTP 302 redirects to http://elsewhere.example/\\u{1B}[2J") == true, "\(String(describing: error))")
    }
}
