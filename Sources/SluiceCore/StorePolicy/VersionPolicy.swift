/// What registering a new version of a file means for the versions before it: the rules
/// every backend follows, as pure code. A backend gathers the facts (`VersionHistory`), asks
/// for the steps and runs each as statements, all in the registration's transaction.
public enum VersionPolicy {
    /// - Parameters:
    ///   - newID: the id the new version was just given.
    ///   - sameContentAs: looks up another file with the same size and fingerprint that is not
    ///     rejected (`supplier/path`); asked only when `on_duplicate: skip` needs it.
    public static func steps(for file: DiscoveredFile, newID: Int64, history: VersionHistory,
                             onChange: ChangePolicy, onDuplicate: DuplicatePolicy,
                             sameContentAs: () throws -> String?) rethrows -> [VersionStep] {
        let name = "\(file.supplier)/\(file.relativePath)"
        // A version that never finished (a crash, a failure, rows kept from a truncated delivery)
        // is replaced: its committed rows go, so two versions never stand side by side.
        var steps = history.unfinished.map {
            VersionStep.supersede($0, reason: "replaced by a new version of the file before it finished loading",
                                  forgetLoadedRows: true)
        }
        if let previous = history.loaded.first {
            let reload = history.loaded.map {
                VersionStep.supersede($0.id, reason: "replaced by a new version (on_change: reload)", forgetLoadedRows: false)
            }
            steps += change(name, newID: newID, sizes: (previous.size, file.size), policy: onChange, removeOld: reload)
        } else if let pruned = history.pruned {
            // Delivered again under the name of a loaded file whose record `sluice prune` removed.
            if pruned.size == file.size && pruned.fingerprint == file.fingerprint {
                steps.append(.mark(newID, .duplicate, reason: "\(name) loaded before (its record was pruned); not loaded again"))
            } else {
                steps += change(name, newID: newID, sizes: (pruned.size, file.size), policy: onChange, removeOld: [.removePruned(pruned)])
            }
        } else if onDuplicate == .skip, let original = try sameContentAs() {
            steps.append(.mark(newID, .duplicate, reason: "same content as \(original); not loaded (on_duplicate: skip)"))
        }
        return steps
    }

    /// A file that loaded came back with other content: reject it, ignore it, or replace the old rows.
    private static func change(_ name: String, newID: Int64, sizes: (was: Int64, now: Int64), policy: ChangePolicy,
                               removeOld: [VersionStep]) -> [VersionStep] {
        switch policy {
        case .fail:
            let reason = "\(name) changed after it was loaded (was \(sizes.was) bytes, now \(sizes.now)); it is not loaded again (on_change: fail)"
            return [.mark(newID, .quarantined, reason: reason), .quarantineFile(newID, reason: reason)]
        case .ignore:
            return [.mark(newID, .ignored, reason: "\(name) changed after it was loaded; ignored (on_change: ignore)")]
        case .reload:
            return removeOld
        }
    }

    /// Whether a batch may still commit for a file in `state`: a version replaced while it was
    /// being read has had its rows taken out, and none may come back.
    public static func acceptsCommit(in state: FileState) -> Bool { state != .superseded }
}

/// What a backend knows of a path's other versions when a new one registers.
public struct VersionHistory: Sendable, Equatable {
    /// Versions that did not finish but may hold committed rows: pending, loading, failed, or
    /// quarantined with rows kept.
    public var unfinished: [Int64]
    /// Versions that loaded.
    public var loaded: [PriorVersion]
    /// The loaded version `sluice prune` forgot, if any.
    public var pruned: PrunedVersion?

    public init(unfinished: [Int64] = [], loaded: [PriorVersion] = [], pruned: PrunedVersion? = nil) {
        self.unfinished = unfinished
        self.loaded = loaded
        self.pruned = pruned
    }
}

public struct PriorVersion: Sendable, Equatable {
    public var id: Int64
    public var size: Int64

    public init(id: Int64, size: Int64) {
        self.id = id
        self.size = size
    }
}

/// A loaded version whose record `sluice prune` removed, as the store remembers it.
public struct PrunedVersion: Sendable, Equatable {
    public var fileID: Int64
    public var size: Int64
    public var fingerprint: String
    /// Where its rows lie in the staging table, when the backend keeps that (SQLite's row ids).
    public var rowIDs: ClosedRange<Int64>?

    public init(fileID: Int64, size: Int64, fingerprint: String, rowIDs: ClosedRange<Int64>?) {
        self.fileID = fileID
        self.size = size
        self.fingerprint = fingerprint
        self.rowIDs = rowIDs
    }
}

/// One thing a backend does to register a version.
public enum VersionStep: Sendable, Equatable {
    /// Take the version's staged rows out and mark it superseded with the reason;
    /// `forgetLoadedRows` also sets its loaded count to 0.
    case supersede(Int64, reason: String, forgetLoadedRows: Bool)
    /// Set a version's state and reason, as finished now.
    case mark(Int64, FileState, reason: String)
    /// Put the whole file in the quarantine with the reason.
    case quarantineFile(Int64, reason: String)
    /// Take out the rows of a pruned version and forget it.
    case removePruned(PrunedVersion)
}
