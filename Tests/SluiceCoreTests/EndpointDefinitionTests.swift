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
}
