import Foundation

/// A supplier paused by its circuit breaker.
public struct BreakerOpening: Sendable, Equatable {
    public var supplier: String
    public var openedAt: Double
    public var until: Double

    public init(supplier: String, openedAt: Double, until: Double) {
        self.supplier = supplier
        self.openedAt = openedAt
        self.until = until
    }
}

/// When one file held its slot.
public struct FileTiming: Sendable {
    public var supplier: String
    public var file: String
    public var startedAt: Double
    public var finishedAt: Double
    /// Seconds between becoming eligible and getting a slot.
    public var slotWait: Double
    public var attempts: Int

    public init(supplier: String, file: String, startedAt: Double, finishedAt: Double, slotWait: Double = 0, attempts: Int = 1) {
        self.supplier = supplier
        self.file = file
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.slotWait = slotWait
        self.attempts = attempts
    }
}

/// One supplier's files and rows as the store sees them.
public struct SupplierStatus: Sendable, Equatable {
    public var supplier: String
    public var files: [FileState: Int] = [:]
    /// Rows of its files that are not superseded, blank lines skipped among them.
    public var rows = RowCounts()
    /// Last error of a failed or quarantined file, if any.
    public var lastError: String?
    /// When the supplier's last file finished (Unix seconds).
    public var lastFinishedAt: Double?
    /// Times its breaker opened during the last run.
    public var breakerOpenings = 0
    /// When the longest-waiting file still to load (pending or partly loaded) was registered.
    public var oldestQueuedAt: Double?
    /// When rows of this supplier last committed (Unix seconds).
    public var lastCommitAt: Double?
    /// Files in the supplier's directory the store has not registered yet: still being written,
    /// not yet complete by `min_age`, `stable_for` or marker, or not yet polled. Nil when the
    /// directory was not listed.
    public var waiting: Int?
    /// Files workers hold now, on a store several workers share.
    public var leases: [HeldLease] = []
    /// Files (not superseded) whose header drifted from the schema.
    public var filesDrifted = 0
    /// The latest such file's drift, in words.
    public var lastDrift: String?

    public init(supplier: String) { self.supplier = supplier }
}

/// A file a worker is loading under a lease, and when the lease runs out unless renewed.
public struct HeldLease: Sendable, Equatable {
    public var worker: String
    public var fileID: Int64
    public var file: String
    /// Unix seconds.
    public var expiresAt: Double

    public init(worker: String, fileID: Int64, file: String, expiresAt: Double) {
        self.worker = worker
        self.fileID = fileID
        self.file = file
        self.expiresAt = expiresAt
    }
}

/// A file as a listing shows it: a path in the supplier directory and a size.
public struct ListedVersion: Hashable, Sendable {
    public var path: String
    public var size: Int64

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }
}

/// One row or file in the quarantine.
public struct QuarantineEntry: Sendable, Equatable {
    public var supplier: String
    public var file: String
    /// `row` or `file`.
    public var kind: String
    public var line: Int?
    public var byteOffset: Int64?
    public var rowNumber: Int?
    public var reason: String
    /// The row's raw text (nil for a whole file).
    public var raw: [UInt8]?

    public init(supplier: String, file: String, kind: String, line: Int?, byteOffset: Int64?, rowNumber: Int?,
                reason: String, raw: [UInt8]?) {
        self.supplier = supplier
        self.file = file
        self.kind = kind
        self.line = line
        self.byteOffset = byteOffset
        self.rowNumber = rowNumber
        self.reason = reason
        self.raw = raw
    }
}

extension QuarantineEntry {
    /// The row's text as read, for people (invalid UTF-8 shown as U+FFFD, no line end).
    public var rawText: String? { raw.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .newlines) } }
}
