import Synchronization

/// The run's tally, added to by the feed (files skipped or refused on sight) and by the
/// scheduler (each file's final result).
final class SharedTally: Sendable {
    private let tally: Mutex<RunTally>

    init(_ tally: RunTally) { self.tally = Mutex(tally) }

    func update<Result>(_ body: (inout RunTally) -> Result) -> Result {
        tally.withLock { body(&$0) }
    }

    var value: RunTally { tally.withLock { $0 } }
}
