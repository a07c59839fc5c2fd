import Foundation
import SluiceCore
import Testing

/// Where an endpoint's requests and token may go: no redirect is followed unless the endpoint
/// allows those to its own origin, and a token crosses the network only over https.
@Suite(.serialized) struct EndpointTransportTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory() }

    var suppliers: String { dir.path("suppliers") }

    func arguments(_ command: String, _ pipeline: String, _ extra: [String] = []) -> [String] {
        [command, pipeline] + (command == "run" ? ["--progress", "0"] : [])
            + (["schema.max_invalid_ratio=1"] + extra).flatMap { ["--set", $0] }
    }

    let done = "select count(*) from sluice_files where state = 'done'"

    @Test func aRedirectToAnotherServerIsRefusedEvenWhenSameOriginRedirectsAreFollowed() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 2, gzip: 0)
        let names = try supplierNames(dir)
        let elsewhere = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0"])
        let redirecting = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--redirect-to", "http://127.0.0.1:\(elsewhere.port)"])
        let database = dir.path("elsewhere.sqlite")
        let pipeline = try redirecting.pipeline(in: dir, suppliers: names, database: database)
        let result = try runBinary(arguments("run", pipeline, ["source.endpoints.0.follow_redirects=same-origin"]))
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        for name in names {
            #expect(result.stdout.contains("\(name): the endpoint could not be listed (refused: supplier \(name): listing"), "\(result.stdout)")
            #expect(result.stdout.contains("HTTP 302 redirects to http://127.0.0.1:\(elsewhere.port)/\(name)/files?limit=1000"), "\(result.stdout)")
        }
        #expect(elsewhere.requests.isEmpty, "no request reached the other server")
        #expect(try scalar(database, done) == 0)
    }

    @Test func aRedirectWithinTheEndpointIsFollowedOnlyWhenItsEntryAllowsIt() async throws {
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 2, gzip: 0)
        let names = try supplierNames(dir)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0", "--redirect-to", "/moved"])
        let database = dir.path("moved.sqlite")
        let pipeline = try simulator.pipeline(in: dir, suppliers: names, database: database)
        let refused = try runBinary(arguments("run", pipeline))
        #expect(refused.status == 3, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stdout.contains("HTTP 302 redirects to /moved/\(names[0])/files?limit=1000, which is not followed"), "\(refused.stdout)")
        #expect(try scalar(database, done) == 0)

        let allowed = names.indices.map { "source.endpoints.\($0).follow_redirects=same-origin" }
        let followed = try runBinary(arguments("run", pipeline, allowed))
        #expect(followed.status == 0, "\(followed.stdout)\n\(followed.stderr)")
        #expect(try scalar(database, done) == 4, "listings and downloads followed the redirects")
        #expect(simulator.requests.contains { $0.status == 302 && $0.path.contains("/files/") }, "a download was redirected")
    }

    @Test func aTokenOverPlainHTTPToAnotherHostIsADefinitionError() throws {
        _ = try generateScenario(into: dir.url, suppliers: 1, files: 1, gzip: 0)
        let simulator = try SupplierSimulator(root: suppliers, in: dir, ["--rate", "0"])
        let pipeline = try simulator.pipeline(in: dir, suppliers: try supplierNames(dir), database: dir.path("plain.sqlite"), auth: "SUPPLIER_TOKEN")
        let remote = "source.endpoints.0.url=http://files.example.com/acme"
        let refused = try runBinary(arguments("check", pipeline, [remote]), environment: ["SUPPLIER_TOKEN": "secret"])
        #expect(refused.status == 2, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stderr.contains("source.endpoints.0.auth: the token would cross the network in clear text to files.example.com"),
                "\(refused.stderr)")
        let optedIn = try runBinary(arguments("check", pipeline, [remote, "source.endpoints.0.auth.allow_plain_http=true"]),
                                    environment: ["SUPPLIER_TOKEN": "secret"])
        #expect(optedIn.status == 0, "\(optedIn.stdout)\n\(optedIn.stderr)")
        let loopback = try runBinary(arguments("check", pipeline), environment: ["SUPPLIER_TOKEN": "secret"])
        #expect(loopback.status == 0, "this machine needs no TLS: \(loopback.stderr)")
    }
}
