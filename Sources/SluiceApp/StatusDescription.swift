import Foundation
import SluiceCore

/// The per-supplier table `sluice status` prints. `now` (Unix seconds) dates the queue's age.
public func describeStatus(_ statuses: [SupplierStatus], now: Double = Date().timeIntervalSince1970) -> String {
    let header = ["supplier", "waiting", "pending", "loading", "done", "failed", "quarantined", "other", "rows loaded",
                  "rows quarantined", "blank lines", "drifted", "paused", "oldest queued", "last commit"]
    let formatter = ISO8601DateFormatter()
    var rows = [header]
    for status in statuses {
        let states: [FileState] = [.pending, .loading, .done, .failed, .quarantined]
        var row: [String] = [status.supplier, status.waiting.map(String.init) ?? "-"]
        row += states.map { String(status.files[$0] ?? 0) }
        // Empty, duplicate, ignored and superseded files: recorded, nothing to load.
        row.append(String(status.files.filter { !states.contains($0.key) }.values.reduce(0, +)))
        row += [String(status.rows.loaded), String(status.rows.quarantined), String(status.rows.blankLinesSkipped),
                String(status.filesDrifted), String(status.breakerOpenings)]
        row.append(status.oldestQueuedAt.map { describeAge(now - $0) } ?? "-")
        row.append(status.lastCommitAt.map { formatter.string(from: Date(timeIntervalSince1970: $0)) } ?? "-")
        rows.append(row)
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    var lines = rows.map { row in
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
    for status in statuses {
        if let error = status.lastError { lines.append("\(status.supplier): last error: \(error)") }
        if let drift = status.lastDrift { lines.append("\(status.supplier): header drift in \(status.filesDrifted) file\(status.filesDrifted == 1 ? "" : "s"), latest: \(drift)") }
    }
    let held = statuses.flatMap { status in status.leases.map { (status.supplier, $0) } }
    if !held.isEmpty {
        lines += ["", "files workers hold now (a lease not renewed in time lets the file go to another worker):"]
        for (supplier, lease) in held {
            lines.append("  \(supplier)  \(lease.worker)  file \(lease.fileID) \(lease.file)  lease expires in \(describeAge(lease.expiresAt - now))")
        }
    }
    return lines.joined(separator: "\n")
}

/// A duration in its two largest units: `45s`, `3m05s`, `2h10m`, `4d03h`.
func describeAge(_ seconds: Double) -> String {
    let total = max(0, Int(seconds))
    let (days, hours, minutes, rest) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
    if days > 0 { return String(format: "%dd%02dh", days, hours) }
    if hours > 0 { return String(format: "%dh%02dm", hours, minutes) }
    if minutes > 0 { return String(format: "%dm%02ds", minutes, rest) }
    return "\(rest)s"
}
