import Foundation

extension StartedBinary {
    /// Waits for the binary to exit, for at most `seconds` (a guard against a run that never
    /// ends, not a measure); kills it and returns nil if it has not.
    func finish(within seconds: Double) -> (status: Int32, stdout: String, stderr: String)? {
        guard eventually(seconds: seconds, { !process.isRunning }) else {
            kill(pid, SIGKILL)
            _ = finish()
            return nil
        }
        return finish()
    }
}

extension SupplierSimulator {
    /// The listing requests logged so far.
    var listingRequests: [Request] { requests.filter { $0.path.hasSuffix("/files") } }
    /// The download requests logged so far.
    var downloadRequests: [Request] { requests.filter { $0.path.contains("/files/") } }
}
