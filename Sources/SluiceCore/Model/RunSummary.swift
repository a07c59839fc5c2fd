import Foundation

/// One supplier's share of a run.
public struct SupplierSummary: Sendable, Equatable {
    public var supplier: String
    /// Files processed this run (loaded, quarantined or failed).
    public var files = 0
    /// Files skipped because an earlier run already finished them.
    public var skipped = 0
    public var filesQuarantined = 0
    public var filesFailed = 0
    /// Files a stop request interrupted; they resume from their checkpoint.
    public var filesInterrupted = 0
    /// Times the supplier's circuit breaker paused it.
    public var breakerOpenings = 0
    /// Loaded files that could not be archived or deleted.
    public var settleFailures = 0
    public var rows = RowCounts()
    /// From the supplier's first file start to its last file finish.
    public var seconds = 0.0

    public init(supplier: String) { self.supplier = supplier }

    /// read = loaded + quarantined + filtered.
    public var reconciles: Bool { rows.reconciles }

    mutating func add(_ other: SupplierSummary) {
        files += other.files
        skipped += other.skipped
        filesQuarantined += other.filesQuarantined
        filesFailed += other.filesFailed
        filesInterrupted += other.filesInterrupted
        breakerOpenings += other.breakerOpenings
        settleFailures += other.settleFailures
        rows += other.rows
    }
}

/// What a run did, per supplier and in total, and the exit code it earns.
public struct RunSummary: Sendable {
    public var pipeline: String
    public var suppliers: [SupplierSummary]
    public var wallSeconds: Double
    /// The signal that stopped the run early, if one did.
    public var stoppedBySignal: Int32?
    /// One line per file that was refused, quarantined whole or could not be read, with the reason.
    public var problems: [String] = []

    public init(pipeline: String, suppliers: [SupplierSummary], wallSeconds: Double, stoppedBySignal: Int32? = nil) {
        self.pipeline = pipeline
        self.suppliers = suppliers
        self.wallSeconds = wallSeconds
        self.stoppedBySignal = stoppedBySignal
    }

    public var total: SupplierSummary {
        var total = SupplierSummary(supplier: "total")
        for supplier in suppliers { total.add(supplier) }
        total.seconds = wallSeconds
        return total
    }

    /// 0 when every file loaded (row quarantines within budget allowed), 3 when a file was
    /// quarantined whole, could not be read or could not be settled, 128 + the signal when a
    /// signal stopped the run.
    public var exitCode: Int32 {
        if let signal = stoppedBySignal { return 128 + signal }
        let total = total
        return total.filesQuarantined + total.filesFailed + total.settleFailures > 0 ? 3 : 0
    }

    /// A fixed-width table for the terminal.
    public func table() -> String {
        let header = ["supplier", "files", "skipped", "read", "loaded", "quarantined", "filtered", "blank lines", "bad files", "paused", "seconds"]
        var rows = suppliers.map(Self.cells) + [Self.cells(total)]
        rows.insert(header, at: 0)
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        lines.insert(String(repeating: "-", count: lines[0].count), at: 1)
        lines.insert(String(repeating: "-", count: lines[0].count), at: lines.count - 1)
        return lines.joined(separator: "\n")
    }

    private static func cells(_ s: SupplierSummary) -> [String] {
        [s.supplier, String(s.files), String(s.skipped), String(s.rows.read), String(s.rows.loaded),
         String(s.rows.quarantined), String(s.rows.filtered), String(s.rows.blankLinesSkipped), String(s.filesQuarantined + s.filesFailed),
         String(s.breakerOpenings), String(format: "%.1f", s.seconds)]
    }
}
