import Foundation
import Logging
import SluiceCore
import Testing
@testable import SluiceHTTP

/// Names an endpoint lists that cannot be taken as they are: control characters, and paths
/// that climb or name nothing. Each is refused for its own file; the other files are taken.
@Suite struct ListedNameTests {
    @Test(arguments: ["orders\0.csv", "orders-\u{1B}[2J.csv", "line\nbreak.csv", "tab\t.csv", "del\u{7F}.csv", "c1-\u{85}.csv"])
    func aNameWithAControlCharacterIsRefused(name: String) {
        #expect(EndpointListing.refusal(of: name)?.contains("control character") == true)
    }

    @Test(arguments: ["../x.csv", "a/../../x.csv", "./x.csv", "/etc/x.csv", "a//x.csv", "..\\x.csv", "a\\..\\x.csv"])
    func aNameThatClimbsOrHasEmptyPartsIsRefused(name: String) {
        #expect(EndpointListing.refusal(of: name)?.contains("'..' parts") == true)
    }

    @Test(arguments: ["x.csv", "2026/12/orders-1.csv", "a..b.csv", "ünïcødé.csv", "spaces and, commas.csv"])
    func anOrdinaryNameIsTaken(name: String) {
        #expect(EndpointListing.refusal(of: name) == nil)
    }

    @Test func theRefusedNameIsShownEscapedAndTheOthersAreTaken() async throws {
        let definition = try DefinitionLoader.parse(yaml: """
            pipeline: p
            source:
              endpoints:
                - { name: acme, url: "http://127.0.0.1:9/acme" }
            schema:
              columns:
                - { name: id, type: integer }
            load:
              database: staging.sqlite
            """, baseDirectory: URL(fileURLWithPath: "/tmp"))
        let client = try EndpointClient(definition: definition, environment: [:], logger: Logger(label: "test"))
        let listing = EndpointListing(client: client, patterns: ["*.csv"])
        let entries = ["a.csv", "b\0.csv", "c\u{1B}[31m.csv", "d.csv"].map { ListingPage.Entry(name: $0, size: 1, etag: nil, modified: 0) }
        let found = listing.discovered(entries, supplier: "acme")
        await client.shutdown()
        #expect(found.files.map(\.relativePath) == ["a.csv", "d.csv"])
        #expect(found.problems.map(\.relativePath) == ["b\\u{0}.csv", "c\\u{1B}[31m.csv"])
        #expect(found.problems.allSatisfy { !ControlCharacters.contains(in: $0.description) })
    }
}
