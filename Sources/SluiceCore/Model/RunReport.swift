import Foundation

/// Everything `sluice report --html` and `--json` show of one run: its record, every file it
/// started, its stage latencies, the commonest quarantine reasons, the reconcile table and the
/// header changes its files brought.
public struct RunReport: Codable, Sendable {
    public var pipeline: String
    public var run: RunRecord
    /// Files each supplier may have open at once, and all suppliers together.
    public var caps: [String: Int]
    public var globalCap: Int
    public var files: [ReportedFile]
    public var stages: [StageLatency]
    public var quarantineReasons: [QuarantineReason]
    /// Each supplier's header changes that came with a file of this run; a supplier's first
    /// header is not a change.
    public var headerChanges: [HeaderChange]

    public init(pipeline: String, run: RunRecord, caps: [String: Int], globalCap: Int, files: [ReportedFile],
                stages: [StageLatency], quarantineReasons: [QuarantineReason], headerChanges: [HeaderChange] = []) {
        self.pipeline = pipeline
        self.run = run
        self.caps = caps
        self.globalCap = globalCap
        self.files = files
        self.stages = stages
        self.quarantineReasons = quarantineReasons
        self.headerChanges = headerChanges
    }

    /// Suppliers in name order.
    public var suppliers: [String] { Set(files.map(\.supplier)).sorted() }

    /// Rows per supplier, from the files the run started.
    public func rows(of supplier: String?) -> RowCounts {
        files.filter { supplier == nil || $0.supplier == supplier }.reduce(into: RowCounts()) { $0 += $1.rows }
    }

    /// The run's files whose header drifted from the schema, per supplier.
    public var driftedFiles: [String: [ReportedFile]] {
        Dictionary(grouping: files.filter { $0.drift != nil }, by: \.supplier)
    }
}

/// One run as the store recorded it (Unix seconds).
public struct RunRecord: Codable, Sendable, Equatable {
    public var id: Int64
    public var startedAt: Double
    public var finishedAt: Double?
    public var exitCode: Int?
    public var summary: String?

    public init(id: Int64, startedAt: Double, finishedAt: Double?, exitCode: Int?, summary: String?) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.summary = summary
    }
}

/// One file a run started: when it held its slot, how it ended, and its rows.
public struct ReportedFile: Codable, Sendable, Equatable {
    public var supplier: String
    public var file: String
    /// The file's state in the store (`done`, `quarantined`, `failed`, ...).
    public var state: String
    public var startedAt: Double
    public var finishedAt: Double
    public var slotWait: Double
    public var attempts: Int
    public var rows: RowCounts
    /// How the file's header drifted from the schema, in words; nil when it did not.
    public var drift: String?

    public init(supplier: String, file: String, state: String, startedAt: Double, finishedAt: Double,
                slotWait: Double, attempts: Int, rows: RowCounts, drift: String? = nil) {
        self.supplier = supplier
        self.file = file
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.slotWait = slotWait
        self.attempts = attempts
        self.rows = rows
        self.drift = drift
    }
}

/// A kind of quarantine reason (values left out), how often it came, and a few of its rows.
public struct QuarantineReason: Codable, Sendable, Equatable {
    public var reason: String
    public var count: Int
    public var examples: [QuarantineExample]

    public init(reason: String, count: Int, examples: [QuarantineExample]) {
        self.reason = reason
        self.count = count
        self.examples = examples
    }

    /// The reason with its values left out, so rows that failed the same way count together:
    /// quoted values become `'…'`; a file's reason loses its leading `supplier/path: ` and its
    /// numbers (lines, bytes), which the examples keep.
    public static func kind(of reason: String) -> String {
        var result = ""
        var inQuote = false
        for character in reason {
            if character == "'" {
                if !inQuote { result += "'…'" }
                inQuote.toggle()
            } else if !inQuote {
                result.append(character)
            }
        }
        guard let colon = result.range(of: ": "), result[..<colon.lowerBound].contains("/") else { return result }
        var general = ""
        for character in result[colon.upperBound...] where !(character.isNumber && general.last == "N") {
            general.append(character.isNumber ? "N" : character)
        }
        return general
    }
}

/// One quarantined row or file, as a report shows it.
public struct QuarantineExample: Codable, Sendable, Equatable {
    public var supplier: String
    public var file: String
    public var line: Int?
    public var byteOffset: Int64?
    public var reason: String
    /// The row's text as read (invalid UTF-8 shown as U+FFFD); nil for a whole file.
    public var raw: String?

    public init(_ entry: QuarantineEntry) {
        supplier = entry.supplier
        file = entry.file
        line = entry.line
        byteOffset = entry.byteOffset
        reason = entry.reason
        raw = entry.rawText
    }
}
