import Foundation
import SluiceCore

/// Where a `3xx` answer leads, and whether a request may follow it. The client follows none by
/// itself: a redirect to another host would carry the request, and its token, elsewhere.
enum Redirect {
    /// Redirects one request follows at most.
    static let maxHops = 5

    /// The address to follow `location` to from `address`; nil when the policy refuses it.
    static func follow(_ location: String?, from address: String, policy: RedirectPolicy) -> String? {
        guard policy == .sameOrigin, let location, let from = URL(string: address),
              let target = URL(string: location, relativeTo: from)?.absoluteURL, isSameOrigin(from, target) else { return nil }
        return target.absoluteString
    }

    /// Same scheme, host and port, a missing port being the scheme's own.
    static func isSameOrigin(_ a: URL, _ b: URL) -> Bool {
        guard let scheme = a.scheme?.lowercased(), scheme == b.scheme?.lowercased(),
              let host = a.host?.lowercased(), host == b.host?.lowercased() else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        return (a.port ?? defaultPort) == (b.port ?? defaultPort)
    }

    /// A `Location` as messages show it: escaped, and cut short.
    static func shown(_ location: String) -> String {
        let escaped = ControlCharacters.escaped(location)
        return escaped.count > 300 ? String(escaped.prefix(300)) + "..." : escaped
    }
}
