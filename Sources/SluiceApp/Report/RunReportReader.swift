import Foundation
import SluiceCore
import SluiceSQLite

/// What went wrong reading a report.
public struct ReportError: Error, CustomStringConvertible {
    public let description: String
}

/// Run `run` (the latest when nil) from the store: the data behind `sluice report`.
/// - Throws: `StoreError`, or `ReportError` when the store has no such run.
public func readRunReport(_ definition: PipelineDefinition, run: Int64? = nil) throws -> RunReport {
    guard let store = try openStore(definition, readOnly: true) as? any RunReportSource else {
        throw ReportError(description: "this store keeps no run reports")
    }
    guard let record = try store.runRecord(run) else {
        throw ReportError(description: run.map { "the store has no run \($0) of \(definition.name)" }
                          ?? "the store has no run of \(definition.name) yet")
    }
    let files = try store.reportedFiles(run: record.id)
    let runFiles = Set(files.map { [$0.supplier, $0.file] })
    let changes = HeaderChange.changes(in: try store.headerSightings()).filter { !$0.firstSeen && runFiles.contains([$0.supplier, $0.file]) }
    return RunReport(pipeline: definition.name, run: record,
                     caps: supplierCaps(definition, suppliers: Array(Set(files.map(\.supplier)))),
                     globalCap: definition.limits.maxConcurrency, files: files,
                     stages: try store.stageLatencies(run: record.id),
                     quarantineReasons: try store.quarantineReasons(run: record, top: 10, examples: 3),
                     headerChanges: changes)
}

/// The report as JSON for machines, keys in snake case.
public func reportJSON(_ report: RunReport) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return try encoder.encode(report)
}

/// The report as text: the run, the reconcile table, header drift and the latency percentiles per stage.
public func describeReport(_ report: RunReport) -> String {
    let wall = report.run.finishedAt.map { String(format: "%.1f s", $0 - report.run.startedAt) } ?? "not finished"
    var lines = ["\(report.pipeline) run \(report.run.id): \(report.files.count) files, \(wall), exit code \(report.run.exitCode.map(String.init) ?? "none")", ""]
    let total = report.rows(of: nil)
    lines.append("read \(total.read) = loaded \(total.loaded) + quarantined \(total.quarantined) + filtered \(total.filtered)"
                 + (total.reconciles ? "" : "  (DOES NOT RECONCILE)"))
    lines.append("")
    lines += HeaderDriftReport(report).lines
    lines.append("")
    guard !report.stages.isEmpty else { return (lines + ["this run kept no stage latencies"]).joined(separator: "\n") }
    let pad = { (text: String, width: Int) in String(repeating: " ", count: max(0, width - text.count)) + text }
    lines.append("stage".padding(toLength: 16, withPad: " ", startingAt: 0) + pad("count", 8) + pad("p50", 11) + pad("p95", 11) + pad("p99", 11) + pad("max", 11))
    for stage in report.stages {
        lines.append(stage.stage.padding(toLength: 16, withPad: " ", startingAt: 0) + pad("\(stage.count)", 8)
                     + [stage.p50, stage.p95, stage.p99, stage.max].map { pad(HTMLReport.duration($0), 11) }.joined())
    }
    return lines.joined(separator: "\n")
}
