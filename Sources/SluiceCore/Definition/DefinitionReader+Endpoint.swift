import Foundation

/// The keys of a supplier with a `url`.
extension DefinitionReader {
    /// Keys only an endpoint supplier takes.
    static let endpointKeys = ["auth", "follow_redirects"]
    /// Keys an endpoint supplier takes, and `source` takes as the default of every endpoint.
    static let endpointLimitKeys = ["max_listing_entries", "min_bytes_per_second", "min_rate_window"]

    func endpoint(_ map: MappingReader, url node: ConfigNode, limits: EndpointLimits) throws -> EndpointDefinition {
        let text = try node.string()
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text),
              let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = url.host else {
            throw node.error("expected an http:// or https:// address")
        }
        guard url.user == nil, url.password == nil, url.query == nil else {
            throw node.error("put no credentials or query in the url; name the token's variable in auth.bearer_env")
        }
        var endpoint = EndpointDefinition(url: url)
        if let auth = map["auth"] {
            let fields = try auth.mapping(allowed: ["bearer_env", "allow_plain_http"])
            let variable = try fields.require("bearer_env").string()
            guard !variable.isEmpty, variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw auth.error("bearer_env names an environment variable: letters, digits and '_'")
            }
            endpoint.bearerEnvironment = variable
            endpoint.allowsPlainHTTPToken = try fields["allow_plain_http"]?.bool() ?? false
            // Anyone on the path would read the token: only this machine is spared TLS.
            if scheme == "http", !isLoopbackHost(host), !endpoint.allowsPlainHTTPToken {
                throw auth.error("the token would cross the network in clear text to \(host) over http://; "
                                 + "use https://, or set auth.allow_plain_http: true for a network you trust")
            }
        }
        endpoint.redirects = try map["follow_redirects"]?.oneOf(RedirectPolicy.self) ?? .off
        endpoint.limits = try endpointLimits(map, defaults: limits)
        return endpoint
    }

    /// `max_listing_entries`, `min_bytes_per_second` and `min_rate_window` over `defaults`.
    func endpointLimits(_ map: MappingReader, defaults: EndpointLimits) throws -> EndpointLimits {
        var limits = defaults
        limits.maxListingEntries = try map["max_listing_entries"]?.int(min: 1) ?? limits.maxListingEntries
        if let node = map["min_bytes_per_second"] {
            // 0 turns the floor off; any other value is a size such as 1KiB.
            limits.minBytesPerSecond = try node.string() == "0" ? 0 : node.byteSize()
        }
        if let node = map["min_rate_window"] {
            limits.minRateWindow = try node.duration()
            guard limits.minRateWindow >= .seconds(1) else { throw node.error("must be at least 1s") }
        }
        return limits
    }
}
