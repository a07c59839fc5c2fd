/// Lists the files suppliers have delivered. Directory listings today; HTTP endpoints later.
public protocol FileSource: Sendable {
    /// The suppliers this source serves, in declaration order.
    var suppliers: [String] { get }
    /// Every deliverable file right now, with its identity.
    /// - Throws: when a supplier location cannot be listed at all.
    func discover() throws -> [DiscoveredFile]
}
