import Foundation
import SluiceCore

/// The per-supplier table `sluice status` prints.
public func describeStatus(_ statuses: [SupplierStatus]) -> String {
    let header = ["supplier", "done", "pending", "loading", "failed", "quarantined", "other", "rows loaded",
                  "rows quarantined", "blank lines", "paused", "last finished"]
    let formatter = ISO8601DateFormatter()
    var rows = [header]
    for status in statuses {
        let states: [FileState] = [.done, .pending, .loading, .failed, .quarantined]
        var counts: [String] = states.map { String(status.files[$0] ?? 0) }
        // Empty, duplicate, ignored and superseded files: recorded, nothing to load.
        counts.append(String(status.files.filter { !states.contains($0.key) }.values.reduce(0, +)))
        let finished: String = status.lastFinishedAt.map { formatter.string(from: Date(timeIntervalSince1970: $0)) } ?? "-"
        var row: [String] = [status.supplier]
        row += counts
        row += [String(status.rowsLoaded), String(status.rowsQuarantined), String(status.blankLinesSkipped),
                String(status.breakerOpenings), finished]
        rows.append(row)
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    var lines = rows.map { row in
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
    for status in statuses {
        if let error = status.lastError { lines.append("\(status.supplier): last error: \(error)") }
    }
    return lines.joined(separator: "\n")
}
