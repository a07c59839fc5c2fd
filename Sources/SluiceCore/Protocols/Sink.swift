/// The staging table, quarantine and checkpoints: written together, one transaction per commit.
///
/// Exactly-once rests on this: a batch's rows, its rejects and its file's new offset commit
/// atomically, so a crash leaves either all of them or none.
public protocol Sink: AnyObject, Sendable {
    /// Creates the staging table for `columns` if needed, or checks an existing one matches.
    /// - Throws: `StoreError` when it cannot, or when the table's columns differ.
    func prepare(columns: [OutputColumn]) throws
    /// Commits every batch, its quarantined rows and its checkpoint in ONE transaction.
    /// - Throws: `StoreError`; nothing of the group is then committed.
    func commit(_ batches: [LoadBatch], at time: Double) throws
}

/// A checkpoint store or sink that cannot be opened or written.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
