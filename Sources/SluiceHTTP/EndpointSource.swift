import SluiceCore

/// The files endpoint suppliers serve right now: `sluice run`'s listing of them.
public struct EndpointSource: FileSource {
    let client: EndpointClient
    let listing: EndpointListing
    /// Ends a listing under way once requested.
    let stop: StopRequest

    public init(client: EndpointClient, patterns: [String], stop: StopRequest = StopRequest()) {
        self.client = client
        listing = EndpointListing(client: client, patterns: patterns)
        self.stop = stop
    }

    public var suppliers: [String] { client.suppliers }

    /// Lists every endpoint side by side. One that cannot be listed is a problem of its own
    /// supplier; the others still load.
    /// - Throws: `CancellationError` once `stop` is requested.
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
            var found = listing.discovered(try await listing.list(supplier, stop: stop), supplier: supplier)
            found.files.sort { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }
            return found
        } catch let error as ReadError {
            return Discovery(files: [], problems: [
                DiscoveryProblem(supplier: supplier, relativePath: "",
                                 reason: "the endpoint could not be listed (\(error)); its files wait for the next run")])
        }
    }
}
