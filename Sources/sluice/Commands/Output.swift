import ArgumentParser
import Foundation
import SluiceCore

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("sluice: " + message + "\n").utf8))
}

/// Exit codes beyond the ones spelled out where they are used.
enum ExitStatus {
    /// Another run is writing the store (`EX_TEMPFAIL`: try again later, or pass `--wait`).
    static let storeBusy: Int32 = 75
}

/// Says once whom a run waits for.
let reportLockWait: @Sendable (String, StoreHolder?) -> Void = { store, holder in
    printError("waiting for the store \(store): held by \(holder.map(\.description) ?? "another run")")
}

/// Reports a store held by another run, and the exit code that says so.
func busyExit(_ busy: StoreBusy, pipeline: String, waited: Bool) -> ExitCode {
    printError("cannot run \(pipeline): \(busy)"
               + (busy.stoppedBySignal == nil && !waited ? " (--wait queues this run behind it)" : ""))
    return ExitCode(busy.stoppedBySignal.map { 128 + $0 } ?? ExitStatus.storeBusy)
}
