import Foundation

/// A supplier that serves its files over HTTP: `GET <url>/files?after=&limit=` lists them,
/// `GET <url>/files/<name>` downloads one.
public struct EndpointDefinition: Sendable, Equatable {
    public var url: URL
    /// The environment variable holding the bearer token; the token itself is never in the file.
    public var bearerEnvironment: String?
    /// The token may go over plain `http://` to another machine (`auth.allow_plain_http`).
    public var allowsPlainHTTPToken = false
    /// Which redirects are followed (`follow_redirects`); none by default.
    public var redirects = RedirectPolicy.off
    public var limits = EndpointLimits()

    public init(url: URL, bearerEnvironment: String? = nil) {
        self.url = url
        self.bearerEnvironment = bearerEnvironment
    }
}

/// The redirects an endpoint's answers may lead to.
public enum RedirectPolicy: String, Sendable, CaseIterable {
    /// A `3xx` is a refused answer.
    case off
    /// To the same scheme, host and port only: an endpoint that moved a path, never another server.
    case sameOrigin = "same-origin"
}

/// How much one endpoint may make a run do: a supplier is untrusted, and a listing or a
/// download it never ends must still end.
public struct EndpointLimits: Sendable, Equatable {
    /// Entries one listing may hold (`max_listing_entries`); an empty page counts as a full one,
    /// so the pages are bounded too.
    public var maxListingEntries = 1_000_000
    /// A download whose bytes arrive slower than this, averaged over `minRateWindow` in which
    /// the reader did not hold them back, fails its attempt (`min_bytes_per_second`; 0: never).
    public var minBytesPerSecond = 1024
    public var minRateWindow: Duration = .seconds(30)

    public init() {}
}
