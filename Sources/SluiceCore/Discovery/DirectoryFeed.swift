import Foundation
import Logging

/// The endless feed of `sluice stream`: each supplier's directory polled on its own loop, so a
/// slow listing of one supplier never delays another.
///
/// A poll lists a supplier only when something may have changed: its folders' modification
/// times moved, files are still waiting to be complete, or a full rescan is due. Files already
/// handed on are not read again unless their size or modification time changes. inotify
/// wakes a supplier's loop early; polling alone is always right.
public struct DirectoryFeed: FileFeed {
    public let source: DirectorySource
    public let watch: WatchDefinition
    /// Hears each poll of a supplier, with the number of files waiting to be complete.
    public var events = EngineEvents()

    public init(source: DirectorySource, watch: WatchDefinition) {
        self.source = source
        self.watch = watch
    }

    public var suppliers: [String] { source.suppliers }

    /// How often the feed looks for a stop request, to wake the loops.
    static let stopCheck = Duration.milliseconds(50)

    public func run(stop: StopRequest, logger: Logger, deliver: @escaping @Sendable (Discovery) async throws -> Void) async throws {
        let wakeups = Wakeups()
        let (suppliers, arrived) = AsyncStream.makeStream(of: (name: String, path: URL).self)
        for supplier in source.supplierDirectories { arrived.yield(supplier) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // One check for all loops, so a sleeping loop sees a stop at once.
            group.addTask {
                // Throws nothing: after a failing loop, the failure is the feed's error.
                while !stop.isRequested && !Task.isCancelled { try? await Task.sleep(for: Self.stopCheck) }
                arrived.finish()
                wakeups.signalAll()
            }
            if source.root != nil {
                let wakeup = wakeups.make()
                group.addTask { await watchRoot(wakeup: wakeup, stop: stop, logger: logger, arrived: arrived) }
            }
            // Each supplier's loop starts as its folder becomes known; a failing loop ends the feed.
            for await supplier in suppliers {
                let wakeup = wakeups.make()
                group.addTask {
                    do {
                        try await poll(supplier, wakeup: wakeup, stop: stop, logger: logger, deliver: deliver)
                    } catch {
                        arrived.finish()
                        throw error
                    }
                }
            }
            if !stop.isRequested { group.cancelAll() }
            try await group.waitForAll()
        }
    }

    /// Looks for supplier folders that appear under the root, every poll interval.
    private func watchRoot(wakeup: Wakeup, stop: StopRequest, logger: Logger,
                           arrived: AsyncStream<(name: String, path: URL)>.Continuation) async {
        var known = Set(source.supplierDirectories.map(\.name))
        var refused = Set(source.refusedFolders)
        while !stop.isRequested && !Task.isCancelled {
            _ = await wakeup.sleep(until: .now + watch.pollInterval)
            let appeared = source.suppliersAppeared(besides: known)
            for name in appeared.refused where refused.insert(name).inserted {
                logger.warning("a folder under the root is not taken as a supplier: its name is not folder-safe", metadata: ["folder": "\(name)"])
            }
            for supplier in appeared.accepted where !stop.isRequested {
                logger.info("a supplier folder appeared", metadata: ["supplier": "\(supplier.name)"])
                known.insert(supplier.name)
                arrived.yield(supplier)
            }
        }
    }

    /// One supplier's loop: list when needed, hand on what is complete, wait for the next poll.
    private func poll(_ supplier: (name: String, path: URL), wakeup: Wakeup, stop: StopRequest, logger: Logger,
                      deliver: @Sendable (Discovery) async throws -> Void) async throws {
        var state = SupplierWatch(rules: SupplierWatch.Rules(watch))
        let watcher = watch.inotify ? FolderWatcher { wakeup.signal() } : nil
        let (name, directory) = supplier
        let root = directory.resolvingSymlinksInPath().path
        var missingReported = false
        var woken = true
        while !stop.isRequested && !Task.isCancelled {
            let now = ContinuousClock.now
            let mustList = woken || state.needsListing(now: now, rescan: watch.rescanInterval) { folder in
                FileSnapshot(path: folder.isEmpty ? root : root + "/" + folder)?.modified
            }
            if mustList {
                do {
                    let listing = try source.list(supplier)
                    missingReported = false
                    watcher?.watch(listing.folders.map { $0.path.isEmpty ? listing.root : listing.root + "/" + $0.path })
                    let delivery = collect(listing, state: &state, now: now)
                    events.emit(.pollCycle(supplier: name, waiting: state.waitingCount))
                    if !delivery.files.isEmpty || !delivery.problems.isEmpty { try await deliver(delivery) }
                } catch let error as ReadError {
                    // A supplier directory that is not there (yet) is waited for, not fatal.
                    if !missingReported {
                        logger.warning("a supplier directory cannot be listed; it is polled until it can", metadata: [
                            "supplier": "\(name)", "error": "\(error)"])
                        missingReported = true
                    }
                }
            }
            // A file waiting only for its age is looked at again the moment it is old enough.
            var deadline = now + watch.pollInterval
            if let ready = state.untilNextReady(now: now, wallClock: Date().timeIntervalSince1970) {
                deadline = min(deadline, now + ready + .milliseconds(5))
            }
            woken = await wakeup.sleep(until: deadline)
        }
        withExtendedLifetime(watcher) {}
    }

    /// The complete files of a listing, fingerprinted, and problems not reported before.
    private func collect(_ listing: Listing, state: inout SupplierWatch, now: ContinuousClock.Instant) -> Discovery {
        var delivery = Discovery(files: [])
        for file in state.complete(in: listing, now: now, wallClock: Date().timeIntervalSince1970) {
            switch source.fingerprinted(file, in: listing) {
            case .file(let found):
                delivery.files.append(found)
                state.taken(file)
            case .vanished:
                continue
            case .unreadable(let problem):
                if state.isNew(problem) { delivery.problems.append(problem) }
            }
        }
        delivery.problems += listing.problems.filter { state.isNew($0) }
        return delivery
    }
}
