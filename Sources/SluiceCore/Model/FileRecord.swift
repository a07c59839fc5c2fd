import Foundation

/// Where a file stands in the checkpoint store.
public enum FileState: String, Sendable, CaseIterable {
    /// Known, not started.
    case pending
    /// Partly loaded: `next` says where to resume.
    case loading
    /// Every row is in the staging table, the quarantine or counted as filtered.
    case done
    /// The whole file was rejected (corrupt, header mismatch, error budget); none of its rows load.
    case quarantined
    /// Could not be read this time (vanished, permission); retried by the next run.
    case failed
    /// An older version of a file that was reloaded (`on_change: reload`); its rows were removed.
    case superseded
    /// A file with no bytes; distinct from a header-only file, which is `done` with 0 rows.
    case empty
    /// The same content as a file delivered earlier (`on_duplicate: skip`); not loaded.
    case duplicate
    /// A changed version of a loaded file, left alone (`on_change: ignore`); never settled.
    case ignored
}

/// What to do when a file that already loaded shows up again with other content.
public enum ChangePolicy: String, Sendable, CaseIterable {
    /// Quarantine the new version with a clear reason (the default): loading it would double rows.
    case fail
    /// Take the old version's rows out and load the new one.
    case reload
    /// Leave the old rows and do not load the new version.
    case ignore
}

/// A file found in a supplier directory or endpoint listing, with the identity that says whether it is new.
public struct DiscoveredFile: Sendable, Equatable {
    public var supplier: String
    /// Path relative to the supplier directory, `/`-separated.
    public var relativePath: String
    /// The supplier directory the file was found in. Every file of a supplier shares this one
    /// text, so a run that lists hundreds of thousands of files does not keep a full path each.
    public var directory: String
    /// The file's absolute path.
    public var path: String { directory + "/" + relativePath }
    public var url: URL { URL(fileURLWithPath: path) }
    /// Served by an HTTP endpoint: `path` is its download address, and nothing on disk is touched.
    public var isRemote: Bool { directory.hasPrefix("http://") || directory.hasPrefix("https://") }
    public var size: Int64
    public var modified: Double
    /// Hash over the content (see `Fingerprint`), not over the first line.
    public var fingerprint: String
    public var isGzip: Bool
    /// For a file in a supplier folder: the folder it was listed through, held open, and the
    /// file's identity then. It is opened and settled through that folder, and only while the
    /// name still leads to that identity.
    public var folder: SupplierFolder?
    public var identity: FileIdentity?

    public init(supplier: String, relativePath: String, directory: String, size: Int64, modified: Double,
                fingerprint: String, isGzip: Bool) {
        self.supplier = supplier
        self.relativePath = relativePath
        self.directory = directory
        self.size = size
        self.modified = modified
        self.fingerprint = fingerprint
        self.isGzip = isGzip
    }
}

/// One file's row in the checkpoint store.
public struct FileRecord: Sendable, Equatable {
    public var id: Int64
    public var supplier: String
    public var relativePath: String
    public var size: Int64
    public var fingerprint: String
    public var state: FileState
    public var next: ResumePoint
    /// What the file's committed batches did with its rows, over every attempt.
    public var rows: RowCounts
    public var attempts: Int
    public var lastError: String?
    /// Rows that failed validation so far, whatever the policy did with them.
    public var rowsInvalid = 0
    /// Whether the `after_load` action has been carried out.
    public var settled = false
    /// First seen by this run's discovery.
    public var registeredNow = false
    /// The profile key its last attempt read it with (`ProfileKey`), once its header was read.
    public var readWith: String?

    /// Rejected at its header (no row read) under a profile that has changed since: worth reading again.
    public func rejectedAtHeader(before profileKey: String) -> Bool {
        state == .quarantined && rows.read == 0 && readWith != nil && readWith != profileKey
    }

    public init(id: Int64, supplier: String, relativePath: String, size: Int64, fingerprint: String,
                state: FileState, next: ResumePoint = .start, rows: RowCounts = RowCounts(), attempts: Int = 0, lastError: String? = nil,
                settled: Bool = false) {
        self.settled = settled
        self.id = id
        self.supplier = supplier
        self.relativePath = relativePath
        self.size = size
        self.fingerprint = fingerprint
        self.state = state
        self.next = next
        self.rows = rows
        self.attempts = attempts
        self.lastError = lastError
    }
}
