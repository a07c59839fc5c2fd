import Logging
import SluiceCSV
import SluiceCore
import SluiceHTTP

/// Where a pipeline's files come from: its supplier directories, its HTTP endpoints, or both,
/// and the readers that open them.
struct SupplierSources {
    let directories: DirectorySource
    /// The client of the endpoint suppliers; nil when there are none.
    let client: EndpointClient?
    let readers: any RecordReaderFactory
    private let hasDirectories: Bool
    /// Ends an endpoint listing under way once requested.
    private let stop: StopRequest

    /// - Throws: `ReadError` when `source.root` cannot be listed, `EndpointSetupError` when a
    ///   credential's variable is not set.
    init(_ definition: PipelineDefinition, logger: Logger, stop: StopRequest) throws {
        self.stop = stop
        directories = try DirectorySource(definition: definition.source)
        for name in directories.refusedFolders {
            logger.warning("a folder under the root is not taken as a supplier: its name is not folder-safe", metadata: ["folder": "\(name)"])
        }
        hasDirectories = definition.source.hasDirectories
        if definition.source.endpointSuppliers.isEmpty {
            client = nil
            readers = CSVReaderFactory()
        } else {
            let client = try EndpointClient(definition: definition, logger: logger)
            self.client = client
            readers = EndpointReaders(client: client)
        }
    }

    /// Everything available now, for `sluice run`.
    var listing: any FileSource {
        guard let client else { return directories }
        let endpoints = EndpointSource(client: client, patterns: directories.patterns, stop: stop)
        return hasDirectories ? CombinedSource([directories, endpoints]) : endpoints
    }

    /// Deliveries as they come, for `sluice stream`.
    func feed(watch: WatchDefinition, events: EngineEvents) -> any FileFeed {
        var local = DirectoryFeed(source: directories, watch: watch)
        local.events = events
        guard let client else { return local }
        let endpoints = EndpointFeed(source: EndpointSource(client: client, patterns: directories.patterns), watch: watch)
        return hasDirectories ? CombinedFeed([local, endpoints]) : endpoints
    }

    /// Reports every endpoint answer to the run's observers (metrics).
    func report(to events: EngineEvents) { client?.report(to: events) }

    /// Runs `body`, then closes the endpoints' connections however it ended.
    func closing<T>(logger: Logger, _ body: () async throws -> T) async throws -> T {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await shutdown(logger: logger)
        return try result.get()
    }

    /// Closes the endpoints' connections and logs what was asked of each.
    private func shutdown(logger: Logger) async {
        guard let client else { return }
        for (supplier, tally) in client.requestCounts.sorted(by: { $0.key < $1.key }) {
            logger.info("endpoint requests", metadata: [
                "supplier": "\(supplier)", "requests": "\(tally.sent)", "throttled": "\(tally.throttled)"])
        }
        await client.shutdown()
    }
}
