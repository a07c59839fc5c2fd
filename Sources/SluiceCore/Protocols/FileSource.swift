/// Lists the files suppliers have delivered: directories, HTTP endpoints, or both.
public protocol FileSource: Sendable {
    /// The suppliers this source serves, in declaration order.
    var suppliers: [String] { get }
    /// Every deliverable file right now, with its identity, and the entries that were refused.
    /// - Throws: when a supplier location cannot be listed at all.
    func discover() async throws -> Discovery
}

/// What a listing found.
public struct Discovery: Sendable {
    public var files: [DiscoveredFile]
    /// Entries that look like deliveries but cannot be taken, with the reason.
    public var problems: [DiscoveryProblem]

    public init(files: [DiscoveredFile], problems: [DiscoveryProblem] = []) {
        self.files = files
        self.problems = problems
    }
}

/// A delivery that was refused or could not be read while listing.
public struct DiscoveryProblem: Sendable, Equatable, CustomStringConvertible {
    public var supplier: String
    public var relativePath: String
    public var reason: String

    public init(supplier: String, relativePath: String, reason: String) {
        self.supplier = supplier
        self.relativePath = relativePath
        self.reason = reason
    }

    /// A problem of the whole supplier (its endpoint cannot be listed) has no path.
    public var description: String { relativePath.isEmpty ? "\(supplier): \(reason)" : "\(supplier)/\(relativePath): \(reason)" }
}
