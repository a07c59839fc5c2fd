/// A worker's hold on one file: who holds it and the epoch its claim gave it. Every commit of
/// the file's rows names it, and the store refuses the commit once another claim has taken the
/// file (a higher epoch): a worker that was paused past its lease commits nothing.
public struct Lease: Sendable, Hashable {
    public var owner: String
    public var epoch: Int64

    public init(owner: String, epoch: Int64) {
        self.owner = owner
        self.epoch = epoch
    }
}

/// What a worker may do with a file it asked for.
public enum ClaimResult: Sendable, Equatable {
    /// The file is this worker's under `lease`; `record` is its checkpoint as the store has it
    /// now (another worker may have loaded part of it since the listing).
    case claimed(Lease, FileRecord)
    /// Another worker finished the file: nothing is left to do here.
    case finished
    /// Another worker holds the file; ask again after `retryIn` (its lease may expire).
    case heldElsewhere(retryIn: Duration)
    /// The file is free but its supplier is not: every slot is taken, the pipeline's cap is
    /// reached, the supplier's pace or start group says not yet. Ask again after `retryIn`.
    case noRoom(retryIn: Duration)
}

/// What a supplier may have open at once across every worker, and how far apart its starts.
public struct SupplierTerms: Sendable, Equatable {
    public var name: String
    public var cap: Int
    /// Its start group: groups open `stagger` apart, across workers.
    public var group: Int
    /// The least time between two starts of the supplier by any worker (its spacing, or one
    /// over its rate).
    public var spacing: Duration

    public init(name: String, cap: Int, group: Int, spacing: Duration) {
        self.name = name
        self.cap = cap
        self.group = group
        self.spacing = spacing
    }
}

/// Sharing one store's files among several workers: a file loads under a lease one worker
/// holds, a supplier's open files are a count of slot rows, and a lease not renewed in time
/// expires so a dead worker's files and slots go back to the others.
public protocol FileClaims: AnyObject, Sendable {
    /// This worker's name, as `sluice status` shows it.
    var worker: String { get }
    /// How long a claim holds without being renewed.
    var leaseTTL: Duration { get }
    /// Makes sure the suppliers' slots exist (one row per slot up to their cap).
    /// - Throws: `StoreError`.
    func join(_ suppliers: [SupplierTerms], globalCap: Int, stagger: Duration) async throws
    /// Tries to take the file and a slot of its supplier (and of the pipeline) at once.
    /// - Throws: `StoreError`.
    func claim(fileID: Int64, supplier: SupplierTerms) async throws -> ClaimResult
    /// The file is read: its slots go back, while its own lease holds until its last commit.
    /// Returns at once: this worker's next claim may take them straight away, and others get
    /// them with that claim or with the file's last commit, whichever comes first.
    func releaseSlot(of fileID: Int64)
    /// Extends every lease this worker holds; returns how many it still holds.
    /// - Throws: `StoreError`.
    func renew() async throws -> Int
    /// Lets every file and slot this worker still holds go (a run that stopped early).
    /// - Throws: `StoreError`.
    func releaseAll() async throws
}

/// A commit that named a lease another claim has since replaced: the worker lost the file.
public struct LeaseLost: Error, CustomStringConvertible {
    public let fileID: Int64
    public init(fileID: Int64) { self.fileID = fileID }
    public var description: String { "file \(fileID) was taken over by another worker after this worker's lease expired" }
}
