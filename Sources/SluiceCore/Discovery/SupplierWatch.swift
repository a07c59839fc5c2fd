import Foundation

/// What a stream knows about one supplier's directory between polls: which files it has handed
/// on, which it is still waiting on to be complete, and how the folders looked last time.
///
/// Pure state: the feed lists the directory when `needsListing` says so and passes the listing
/// to `complete(in:)`, which answers with the files that are now ready to load.
public struct SupplierWatch: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// When a file counts as completely written.
    public struct Rules: Sendable {
        public var minAge: Duration
        public var stableFor: Duration
        public var readyMarker: String?

        public init(_ watch: WatchDefinition) {
            minAge = watch.minAge
            stableFor = watch.stableFor
            readyMarker = watch.readyMarker
        }
    }

    struct Seen: Equatable {
        var size: Int64
        var modified: Double
    }

    private let rules: Rules
    /// Files handed on, as they were then; a file that changes becomes a candidate again.
    private var known: [String: Seen] = [:]
    /// Files not yet complete, and since when they have looked the way they look.
    private var waiting: [String: (seen: Seen, since: Instant)] = [:]
    private var folders: [String: Double] = [:]
    private var listedAt: Instant?
    /// Problems already reported, so a refused link is not reported every poll.
    private var reported: Set<String> = []

    public init(rules: Rules) { self.rules = rules }

    /// Files waiting to be complete.
    public var waitingCount: Int { waiting.count }

    /// Files handed on and still present.
    public var knownCount: Int { known.count }

    /// How long until the first waiting file could be complete by age and stability (a marker
    /// may still hold it back); nil when none waits.
    public func untilNextReady(now: Instant, wallClock: Double) -> Duration? {
        waiting.values.map { entry in
            let age = Duration.seconds(max(0, entry.seen.modified + rules.minAge.inSeconds - wallClock))
            let stable = max(.zero, entry.since + rules.stableFor - now)
            return max(age, stable)
        }.filter { $0 > .zero }.min()
    }

    /// Whether the directory must be listed now: the first time, after `rescan`, while files
    /// wait to be complete, or when a folder's modification time moved (`folderTime` reads it).
    public func needsListing(now: Instant, rescan: Duration, folderTime: (String) -> Double?) -> Bool {
        guard let listedAt, now - listedAt < rescan, waiting.isEmpty else { return true }
        return folders.contains { path, modified in folderTime(path) != modified }
    }

    /// Takes a new listing; returns the files now complete, in the order they were written.
    /// - Parameter wallClock: Unix seconds now, to compare with modification times.
    public mutating func complete(in listing: Listing, now: Instant, wallClock: Double) -> [ListedFile] {
        listedAt = now
        folders = Dictionary(listing.folders.map { ($0.path, $0.modified) }, uniquingKeysWith: { a, _ in a })
        let present = Set(listing.files.map(\.relativePath))
        known = known.filter { present.contains($0.key) }
        waiting = waiting.filter { present.contains($0.key) }
        var ready: [ListedFile] = []
        for file in listing.files {
            let seen = Seen(size: file.size, modified: file.modified)
            if known[file.relativePath] == seen { continue }
            if waiting[file.relativePath]?.seen != seen { waiting[file.relativePath] = (seen, now) }
            let since = waiting[file.relativePath]!.since
            let oldEnough = wallClock - file.modified >= rules.minAge.inSeconds
            let stable = now - since >= rules.stableFor
            if oldEnough && stable && hasMarker(file.relativePath, in: listing) { ready.append(file) }
        }
        return ready.sorted { ($0.modified, $0.relativePath) < ($1.modified, $1.relativePath) }
    }

    /// The file was handed on (or vanished): it is no longer waited for.
    public mutating func taken(_ file: ListedFile) {
        waiting[file.relativePath] = nil
        known[file.relativePath] = Seen(size: file.size, modified: file.modified)
    }

    /// Whether a problem is new, so it is reported once.
    public mutating func isNew(_ problem: DiscoveryProblem) -> Bool {
        reported.insert(problem.description).inserted
    }

    /// `{name}.done` beside the file, or a fixed name (`_SUCCESS`) in its folder.
    private func hasMarker(_ path: String, in listing: Listing) -> Bool {
        guard let marker = rules.readyMarker else { return true }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) + "/" } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return listing.otherNames.contains(folder + marker.replacingOccurrences(of: "{name}", with: name))
    }
}
