import Logging

/// Several sources as one (local directories and endpoints): their suppliers in turn, listed side by side.
public struct CombinedSource: FileSource {
    public let sources: [any FileSource]

    public init(_ sources: [any FileSource]) { self.sources = sources }

    public var suppliers: [String] { sources.flatMap(\.suppliers) }

    public func discover() async throws -> Discovery {
        try await withThrowingTaskGroup(of: (Int, Discovery).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { (index, try await source.discover()) }
            }
            var listed = [Discovery?](repeating: nil, count: sources.count)
            for try await (index, discovery) in group { listed[index] = discovery }
            var found = Discovery(files: [])
            for discovery in listed.compactMap({ $0 }) {
                found.files += discovery.files
                found.problems += discovery.problems
            }
            return found
        }
    }
}

/// Several endless feeds as one (directories and endpoints polled side by side); ends when all have.
public struct CombinedFeed: FileFeed {
    public let feeds: [any FileFeed]

    public init(_ feeds: [any FileFeed]) { self.feeds = feeds }

    public var suppliers: [String] { feeds.flatMap(\.suppliers) }

    public func run(stop: StopRequest, logger: Logger, deliver: @escaping @Sendable (Discovery) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for feed in feeds {
                group.addTask { try await feed.run(stop: stop, logger: logger, deliver: deliver) }
            }
            try await group.waitForAll()
        }
    }
}
