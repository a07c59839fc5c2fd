import Logging
import SluiceCore

/// The endless feed of `sluice stream` over endpoints: each supplier's listing polled on its
/// own loop every `poll_interval`. A poll asks only for names after the last one seen (one
/// request when nothing is new); a full listing every `rescan_interval` finds files replaced
/// under an earlier name. Every request is paced by the supplier's rate.
public struct EndpointFeed: FileFeed {
    let source: EndpointSource
    let watch: WatchDefinition

    public init(source: EndpointSource, watch: WatchDefinition) {
        self.source = source
        self.watch = watch
    }

    public var suppliers: [String] { source.suppliers }

    public func run(stop: StopRequest, logger: Logger, deliver: @escaping @Sendable (Discovery) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for supplier in suppliers {
                group.addTask { try await poll(supplier, stop: stop, logger: logger, deliver: deliver) }
            }
            try await group.waitForAll()
        }
    }

    private func poll(_ supplier: String, stop: StopRequest, logger: Logger,
                      deliver: @Sendable (Discovery) async throws -> Void) async throws {
        /// Versions handed on, by name: a name listed again with another version is new.
        var delivered: [String: String] = [:]
        var lastName: String?
        var lastFullListing: ContinuousClock.Instant?
        var failing = false
        while !stop.isRequested && !Task.isCancelled {
            let now = ContinuousClock.now
            let full = lastFullListing.map { now - $0 >= watch.rescanInterval } ?? true
            do {
                let entries = try await source.listing.list(supplier, after: full ? nil : lastName, stop: stop)
                if full { lastFullListing = now }
                if failing { logger.info("the endpoint can be listed again", metadata: ["supplier": "\(supplier)"]) }
                failing = false
                let fresh = entries.filter { delivered[$0.name] != RemoteVersion.fingerprint($0) }
                for entry in fresh { delivered[entry.name] = RemoteVersion.fingerprint(entry) }
                // The contract keeps names ascending: the last is the greatest.
                if let last = entries.last?.name, lastName.map({ ListingContract.isAscending($0, last) }) ?? true { lastName = last }
                let delivery = source.listing.discovered(fresh, supplier: supplier)
                if !delivery.files.isEmpty || !delivery.problems.isEmpty { try await deliver(delivery) }
            } catch let error as ReadError {
                if !failing {
                    logger.warning("an endpoint cannot be listed; it is polled until it can", metadata: [
                        "supplier": "\(supplier)", "error": "\(error)"])
                }
                failing = true
            }
            await sleep(watch.pollInterval, unless: stop)
        }
    }

    /// Sleeps, looking for a stop request every 50 ms.
    private func sleep(_ duration: Duration, unless stop: StopRequest) async {
        let deadline = ContinuousClock.now + duration
        while !stop.isRequested && !Task.isCancelled && ContinuousClock.now < deadline {
            try? await Task.sleep(until: min(deadline, .now + .milliseconds(50)), clock: .continuous)
        }
    }
}
