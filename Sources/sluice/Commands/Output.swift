import ArgumentParser
import Foundation
import Logging
import SluiceCore
import SluiceHTTP
import SluiceObservability

/// Messages are JSON lines, as the logs are, with `--log-format json` (set once, before any run).
nonisolated(unsafe) var messagesAsJSON = false

/// Writes one message to standard error, above the live display when one is drawn.
func printError(_ message: String) {
    if messagesAsJSON, let line = JSONLogHandler.line(level: .notice, label: "sluice", message: message) {
        Console.standardError.write(line: String(decoding: line, as: UTF8.self))
    } else {
        Console.standardError.write(line: "sluice: " + message)
    }
}

/// Progress is drawn in place on a terminal that can move its cursor; plain lines elsewhere.
var standardErrorIsATerminal: Bool {
    isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"].map { $0 != "dumb" } ?? false
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

/// Runs a command's work on the store: a store another run holds exits 75 (`busyExit`), a store
/// or source that cannot be used exits 4 with `cannot <verb> <pipeline>: <error><detail>`.
func withStoreExitCodes<T>(_ verb: String, _ pipeline: String, lock: LockOptions, detail: String = "",
                           _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let busy as StoreBusy {
        throw busyExit(busy, pipeline: pipeline, waited: lock.lockWait != .none)
    } catch let error as StoreError {
        printError("cannot \(verb) \(pipeline): \(error)\(detail)\(advice(for: error.code))")
        throw ExitCode(4)
    } catch let error as ReadError {
        printError("cannot \(verb) \(pipeline): \(error)\(detail)")
        throw ExitCode(4)
    } catch let error as MonitorError {
        printError("cannot \(verb) \(pipeline): \(error) (choose another with --metrics-address, or off)")
        throw ExitCode(4)
    } catch let error as EndpointSetupError {
        printError("cannot \(verb) \(pipeline): \(error)")
        throw ExitCode(4)
    }
}

/// What a user can do about a store failure of this kind; every commit before it stands.
func advice(for code: StoreError.Code) -> String {
    switch code {
    case .full: "; the disk is full: free space and run again, and it resumes from the last commit"
    case .readOnly: "; the store cannot be written: check the file's and its folder's permissions and the mount"
    case .busy: "; another process holds the database (not a sluice run, which takes the writer lock): stop it and run again"
    case .corrupt: "; the database file is damaged: restore it from a backup or load into a new one"
    case .io: "; the operating system failed a read or write (a full disk, a file-size limit, a failing device): fix it and run again, and it resumes from the last commit"
    case .connectionLost: "; the database server went away or cannot be reached: run again once it answers, and it resumes from the last commit"
    case .cannotOpen: "; check that the store can be opened: a SQLite file's path and permissions, or PostgreSQL's connection settings (host, port, database, user, password, sslmode)"
    default: ""
    }
}

/// Reports a store held by another run, and the exit code that says so.
func busyExit(_ busy: StoreBusy, pipeline: String, waited: Bool) -> ExitCode {
    printError("cannot run \(pipeline): \(busy)"
               + (busy.stoppedBySignal == nil && !waited ? " (--wait queues this run behind it)" : ""))
    return ExitCode(busy.stoppedBySignal.map { 128 + $0 } ?? ExitStatus.storeBusy)
}

/// Prints text for people on standard output: control characters that came from a supplier
/// (a file name, a reason) are escaped, so they cannot forge a line or drive the terminal.
func say(_ text: String = "") {
    print(ControlCharacters.escapedLines(text))
}
