import ArgumentParser
import SluiceApp
import SluiceCore

/// Waiting for a store another run is writing; shared by `run` and `stream`.
struct LockOptions: ParsableArguments {
    @Flag(help: "When another run is writing the store, wait for it to finish instead of exiting 75.")
    var wait = false

    @Option(help: ArgumentHelp("Wait at most this long for another run to finish (e.g. 90s, 10m, 2h), then exit 75.",
                               valueName: "duration"))
    var waitTimeout: String?

    @Option(help: ArgumentHelp("""
        This worker's name among the workers sharing a PostgreSQL store, as `sluice status` shows \
        it (default: host name and process id). Several workers load one store together; a SQLite \
        store has one writer at a time.
        """, valueName: "name"))
    var workerId: String?

    /// How long to wait for the store, from --wait and --wait-timeout.
    var lockWait: LockWait {
        if let waitTimeout, let limit = parseDuration(waitTimeout) { return .atMost(limit) }
        return wait ? .forever : .none
    }

    /// Sets how a run waits for the store, and that it says once whom it waits for.
    func apply(to options: inout RunOptions) {
        options.lockWait = lockWait
        options.onLockWait = reportLockWait
        if let workerId { options.workerID = workerId }
    }

    func validate() throws {
        if let workerId, workerId.isEmpty || workerId.utf8.count > 200 {
            throw ValidationError("--worker-id must be 1 to 200 bytes long")
        }
        if let waitTimeout, parseDuration(waitTimeout) == nil {
            throw ValidationError("--wait-timeout \(waitTimeout) is not a duration: use a number and a unit, e.g. 90s, 10m, 2h")
        }
    }
}
