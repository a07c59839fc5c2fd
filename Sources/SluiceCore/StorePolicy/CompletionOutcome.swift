/// What a batch's completion means for its file's record: the state it is left in, the error
/// kept with it, and what must be taken back in the same transaction.
public struct CompletionOutcome: Sendable, Equatable {
    public enum Cleanup: Sendable, Equatable {
        case none
        /// A rejected file loads nothing: take out the rows earlier batches committed and count
        /// every row read as quarantined.
        case rejectFile
        /// The content changed under the reader: take out its rows and its row quarantine, and
        /// send its checkpoint back to the start.
        case rollBack
    }

    public var state: FileState
    public var error: String?
    public var cleanup: Cleanup
    /// Whether the file finished (its finish time is recorded).
    public var finished: Bool

    public init(_ completion: FileCompletion?) {
        (state, error, cleanup, finished) = switch completion {
        case nil: (.loading, nil, .none, false)
        case .done: (.done, nil, .none, true)
        case .quarantined(let reason): (.quarantined, reason, .rejectFile, true)
        case .failed(let reason): (.failed, reason, .none, true)
        case .rolledBack(let reason): (.failed, reason, .rollBack, true)
        case .empty: (.empty, "the file is empty", .none, true)
        case .damaged(let reason): (.quarantined, reason, .none, true)
        }
    }
}
