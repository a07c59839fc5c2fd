import Foundation

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("sluice: " + message + "\n").utf8))
}

/// Exit codes beyond the ones spelled out where they are used.
enum ExitStatus {
    /// Another run is writing the store (`EX_TEMPFAIL`: try again later, or pass `--wait`).
    static let storeBusy: Int32 = 75
}
