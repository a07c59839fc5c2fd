import Synchronization

/// Deliveries over time: what the long-lived pipeline is fed.
///
/// A batch run's feed lists once and ends; a stream's keeps listing. The pipeline registers
/// each delivery and hands its new files to the scheduler, whose loader, workers and limits
/// outlive every listing.
public protocol FileFeed: Sendable {
    /// The suppliers the feed serves, in declaration order.
    var suppliers: [String] { get }
    /// The next delivery, waiting for it; nil when the feed has ended.
    /// - Throws: when a supplier location cannot be listed at all.
    func next() async throws -> Discovery?
}

/// The finite feed of `sluice run`: one listing of everything available now.
public final class ListingFeed: FileFeed {
    private let source: any FileSource
    private let listed = Mutex(false)

    public init(_ source: any FileSource) { self.source = source }

    public var suppliers: [String] { source.suppliers }

    public func next() async throws -> Discovery? {
        guard listed.withLock({ done in defer { done = true }; return !done }) else { return nil }
        return try source.discover()
    }
}
