import SluiceCore

/// The files endpoint suppliers serve right now: `sluice run`'s listing of them.
public struct EndpointSource: FileSource {
    let client: EndpointClient
    let listing: EndpointListing

    public init(client: EndpointClient, patterns: [String]) {
        self.client = client
        listing = EndpointListing(client: client, patterns: patterns)
    }

    public var suppliers: [String] { client.suppliers }

    /// Lists every endpoint side by side. One that cannot be listed is a problem of its own
    /// supplier; the others still load.
    public func discover() async throws -> Discovery {
        try await withThrowingTaskGroup(of: Discovery.self) { group in
            for supplier in suppliers {
                group.addTask { try await list(supplier) }
            }
            var found = Discovery(files: [])
            for try await listed in group {
                found.files += listed.files
                found.problems += listed.problems
            }
            return found
        }
    }

    func list(_ supplier: String) async throws -> Discovery {
        do {
            var found = listing.discovered(try await listing.list(supplier), supplier: supplier)
            found.files.sort { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }
            return found
        } catch let error as ReadError {
            return Discovery(files: [], problems: [
                DiscoveryProblem(supplier: supplier, relativePath: "",
                                 reason: "the endpoint could not be listed (\(error)); its files wait for the next run")])
        }
    }
}
