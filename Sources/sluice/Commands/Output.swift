import Foundation

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("sluice: " + message + "\n").utf8))
}
