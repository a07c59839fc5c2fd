import Foundation
import SluiceCore
import Testing

/// Endpoint suppliers in a pipeline file: `url` and `auth` beside or instead of `path`.
@Suite struct EndpointDefinitionTests {
    func parse(_ source: String) throws -> PipelineDefinition {
        let yaml = """
            pipeline: p
            \(source)
            schema:
              columns:
                - { name: id, type: integer }
            load:
              database: staging.sqlite
            """
        return try DefinitionLoader.parse(yaml: yaml, baseDirectory: URL(fileURLWithPath: "/srv/sluice"))
    }

    @Test func endpointsAndDirectoriesMixInOnePipeline() throws {
        let definition = try parse("""
            source:
              suppliers:
                - { name: local, path: inbox/local }
                - { name: acme, url: "https://files.acme.example/v1/", auth: { bearer_env: ACME_TOKEN }, rate: 3/s, burst: 2 }
              endpoints:
                - { name: globex, url: "http://127.0.0.1:8080/globex" }
            """)
        #expect(definition.source.directorySuppliers.map(\.name) == ["local"])
        #expect(definition.source.endpointSuppliers.map(\.name) == ["acme", "globex"])
        let acme = definition.source.suppliers[1]
        #expect(acme.path == nil)
        #expect(acme.endpoint?.url.absoluteString == "https://files.acme.example/v1", "a trailing slash is dropped")
        #expect(acme.endpoint?.bearerEnvironment == "ACME_TOKEN")
        #expect(acme.rate == 3 && acme.burst == 2)
        #expect(definition.source.suppliers[2].endpoint?.bearerEnvironment == nil)
    }

    @Test(arguments: [
        ("- { name: a, path: x, url: \"http://h/a\" }", "either a 'path'"),
        ("- { name: a }", "either a 'path'"),
        ("- { name: a, url: \"ftp://h/a\" }", "http:// or https://"),
        ("- { name: a, url: \"https://user:pw@h/a\" }", "no credentials"),
        ("- { name: a, url: \"https://h/a?token=x\" }", "no credentials"),
        ("- { name: a, path: x, auth: { bearer_env: T } }", "auth is for suppliers with a url"),
        ("- { name: a, url: \"https://h/a\", auth: { bearer_env: \"not a name\" } }", "environment variable"),
        ("- { name: a, url: \"https://h/a\", auth: { token: abc } }", "unknown key"),
        ("- { name: a, url: \"http://files.example/a\", auth: { bearer_env: T } }", "clear text to files.example over http://"),
        ("- { name: a, url: \"http://10.0.0.5/a\", auth: { bearer_env: T } }", "clear text"),
        ("- { name: a, url: \"http://[::2]/a\", auth: { bearer_env: T } }", "clear text"),
        ("- { name: a, url: \"http://127.0.0.1.example/a\", auth: { bearer_env: T } }", "clear text"),
        ("- { name: a, url: \"http://h/a\", auth: { bearer_env: T, allow_plain_http: maybe } }", "true or false"),
        ("- { name: a, url: \"https://h/a\", follow_redirects: anywhere }", "one of off, same-origin"),
        ("- { name: a, path: x, follow_redirects: same-origin }", "follow_redirects is for suppliers with a url"),
        ("- { name: a, path: x, max_listing_entries: 5 }", "max_listing_entries is for suppliers with a url"),
        ("- { name: a, url: \"https://h/a\", max_listing_entries: 0 }", "at least 1"),
        ("- { name: a, url: \"https://h/a\", max_listing_entry: 5 }", "did you mean max_listing_entries?"),
        ("- { name: a, url: \"https://h/a\", min_bytes_per_second: fast }", "a size such as"),
        ("- { name: a, url: \"https://h/a\", min_rate_window: 100ms }", "at least 1s"),
    ])
    func aBadSupplierIsRefusedWithTheReason(entry: String, reason: String) throws {
        let error = #expect(throws: DefinitionError.self) { try parse("source:\n  suppliers:\n    \(entry)") }
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func anEndpointsListTakesNoPath() throws {
        let error = #expect(throws: DefinitionError.self) { try parse("source:\n  endpoints:\n    - { name: a, path: x }") }
        #expect(error?.message.contains("needs a 'url'") == true)
    }

    @Test func anEndpointWithoutItsOwnRateTakesTheLimitsRateForItsRequests() throws {
        let definition = try parse("""
            source:
              endpoints:
                - { name: a, url: "http://h/a" }
            limits:
              rate: 2/s
            """)
        #expect(definition.limits.rate == 2)
        #expect(definition.source.endpointSuppliers[0].rate == nil)
    }

    @Test(arguments: ["http://127.0.0.1:8080/a", "http://127.9.8.7/a", "http://localhost:8080/a", "http://LOCALHOST/a",
                      "http://[::1]:8080/a", "https://files.example/a"])
    func aTokenMayGoOverPlainHTTPOnlyToThisMachine(url: String) throws {
        let definition = try parse("source:\n  endpoints:\n    - { name: a, url: \"\(url)\", auth: { bearer_env: T } }")
        #expect(definition.source.endpointSuppliers[0].endpoint?.bearerEnvironment == "T")
    }

    @Test func anEndpointMayOptInToAPlainHTTPToken() throws {
        let definition = try parse("""
            source:
              endpoints:
                - { name: a, url: "http://files.example/a", auth: { bearer_env: T, allow_plain_http: true } }
            """)
        #expect(definition.source.endpointSuppliers[0].endpoint?.allowsPlainHTTPToken == true)
    }

    @Test func endpointLimitsDefaultAtTheSourceAndAnEntryOverridesThem() throws {
        let definition = try parse("""
            source:
              max_listing_entries: 5000
              min_bytes_per_second: 2KiB
              endpoints:
                - { name: a, url: "https://h/a" }
                - { name: b, url: "https://h/b", max_listing_entries: 10, min_bytes_per_second: 0, min_rate_window: 1m,
                    follow_redirects: same-origin }
            """)
        let (a, b) = (definition.source.endpointSuppliers[0].endpoint!, definition.source.endpointSuppliers[1].endpoint!)
        #expect(a.limits.maxListingEntries == 5000 && a.limits.minBytesPerSecond == 2048 && a.limits.minRateWindow == .seconds(30))
        #expect(a.redirects == .off)
        #expect(b.limits.maxListingEntries == 10 && b.limits.minBytesPerSecond == 0 && b.limits.minRateWindow == .seconds(60))
        #expect(b.redirects == .sameOrigin)
    }

    @Test func anEndpointIsBoundedByDefault() throws {
        let definition = try parse("source:\n  endpoints:\n    - { name: a, url: \"https://h/a\" }")
        let endpoint = definition.source.endpointSuppliers[0].endpoint!
        #expect(endpoint.limits == EndpointLimits())
        #expect(endpoint.limits.maxListingEntries == 1_000_000 && endpoint.limits.minBytesPerSecond == 1024)
        #expect(endpoint.redirects == .off && !endpoint.allowsPlainHTTPToken)
    }
}
