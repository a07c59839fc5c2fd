import Logging

/// Deliveries over time: what the long-lived pipeline is fed.
///
/// A batch run's feed lists once and ends; a stream's keeps listing until it is stopped. The
/// pipeline registers each delivery and hands its new files to the scheduler, whose loader,
/// workers and limits outlive every listing.
public protocol FileFeed: Sendable {
    /// The suppliers the feed serves, in declaration order.
    var suppliers: [String] { get }
    /// Hands each delivery to `deliver` as it is found, and returns when the feed has ended or
    /// `stop` was requested. Deliveries of different suppliers may be handed on concurrently.
    /// `logger` is the run's, which names it on every line.
    /// - Throws: when a supplier location cannot be listed at all, or what `deliver` throws.
    func run(stop: StopRequest, logger: Logger, deliver: @escaping @Sendable (Discovery) async throws -> Void) async throws
}

/// The finite feed of `sluice run`: one listing of everything available now.
public struct ListingFeed: FileFeed {
    private let source: any FileSource

    public init(_ source: any FileSource) { self.source = source }

    public var suppliers: [String] { source.suppliers }

    public func run(stop: StopRequest, logger: Logger, deliver: @escaping @Sendable (Discovery) async throws -> Void) async throws {
        try await deliver(try await source.discover())
    }
}
