import Foundation
import SluiceCore

/// The human-readable plan `sluice check` prints: what would run, where, under which limits.
public func describePlan(_ definition: PipelineDefinition, _ plan: OutputPlan) -> String {
    var lines: [String] = []
    lines.append("pipeline \(definition.name)" + (definition.fileURL.map { " (\($0.path))" } ?? ""))
    lines.append("")
    lines.append("source")
    if let root = definition.source.root { lines.append("  root: \(root.path) (each subdirectory is a supplier)") }
    for supplier in definition.source.suppliers {
        let location = supplier.path?.path ?? supplier.endpoint.map { $0.url.absoluteString + tokenNote($0) } ?? ""
        lines.append("  supplier \(supplier.name): \(location)" + (supplier.concurrency.map { ", cap \($0)" } ?? "")
                     + (supplier.rate.map { ", \($0) \(supplier.endpoint == nil ? "file opens" : "requests") per second" } ?? ""))
        if supplier.profile != definition.source.profile { lines.append("    \(describeProfile(supplier.profile))") }
    }
    lines.append("  every other supplier: \(describeProfile(definition.source.profile))")
    lines.append("  patterns: \(definition.source.patterns.joined(separator: ", ")), batch of \(definition.source.batchRows) rows")
    let reader = definition.source.reader
    let bounds = "fields up to \(reader.maxFieldBytes) bytes, records up to \(reader.maxRecordBytes) bytes, gzip up to \(reader.maxInflatedBytes) bytes inflated"
    let policies = "on_change \(definition.source.onChange.rawValue), on_corrupt \(definition.source.onCorrupt.rawValue), on_duplicate \(definition.source.onDuplicate.rawValue)"
    lines.append("  encoding \(reader.encoding.rawValue), \(bounds); \(policies), blank_lines \(reader.blankLines.rawValue)")
    let endpoints = definition.source.endpointSuppliers.count
    if endpoints > 0 {
        lines.append("  \(endpoints) endpoint suppliers: listed when the pipeline runs (a check spends none of their requests)")
    }
    if !definition.source.hasDirectories {
        // Only endpoints: nothing local to list.
    } else if let source = try? DirectorySource(definition: definition.source), let files = try? source.discover().files {
        let counts = Dictionary(grouping: files, by: \.supplier).mapValues(\.count)
        let bytes = files.reduce(Int64(0)) { $0 + $1.size }
        lines.append("  found: \(files.count) files (\(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file))) from \(source.suppliers.count) suppliers")
        for supplier in source.suppliers {
            lines.append("    \(supplier): \(counts[supplier] ?? 0) files")
        }
    } else {
        lines.append("  found: the source cannot be listed right now")
    }
    let limits = definition.limits
    lines.append("")
    lines.append("limits")
    lines.append("  at most \(limits.maxConcurrency) files open, \(limits.perSupplierConcurrency) per supplier")
    lines.append("  suppliers start in groups of \(limits.groupSize)" + (limits.groups.isEmpty ? "" : " after \(limits.groups.count) declared groups")
                 + ", \(limits.stagger) apart; files \(limits.order.rawValue) first")
    if limits.startSpacing > .zero { lines.append("  at least \(limits.startSpacing) between starts of one supplier") }
    if let rate = limits.rate {
        let what = endpoints == 0 ? "file opens" : definition.source.hasDirectories ? "file opens (requests for an endpoint)" : "requests"
        lines.append("  at most \(rate) \(what) per second per supplier, burst \(limits.burst)")
    }
    let retry = definition.retry
    lines.append("  retries: up to \(retry.maxAttempts) attempts, backoff from \(retry.initialDelay) to \(retry.maxDelay) with full jitter")
    if let breaker = definition.breaker {
        lines.append("  breaker: \(breaker.failures) failures in a row pause a supplier for \(breaker.coolDown)")
    } else {
        lines.append("  breaker: off")
    }
    lines.append("")
    lines.append("schema (on_invalid: \(definition.schema.onInvalid.rawValue), max_invalid_ratio: \(definition.schema.maxInvalidRatio))")
    for column in definition.schema.columns {
        var rules: [String] = [column.type.description]
        if column.required { rules.append("required") }
        if let v = column.minimum { rules.append("minimum \(bound(v, as: column.type))") }
        if let v = column.maximum { rules.append("maximum \(bound(v, as: column.type))") }
        if let v = column.minLength { rules.append("min_length \(v)") }
        if let v = column.maxLength { rules.append("max_length \(v)") }
        if let v = column.pattern { rules.append("pattern \(v)") }
        if let v = column.allowed { rules.append("enum \(v.joined(separator: "|"))") }
        lines.append("  \(column.name): \(rules.joined(separator: ", "))")
    }
    lines.append("")
    lines.append("load into \(definition.load.table) in \(definition.load.location)")
    let columns = plan.columns.map { "\($0.name) \($0.type)" } + ["_supplier text", "_file text", "_file_id integer", "_row integer"]
    lines.append("  columns: \(columns.joined(separator: ", "))")
    lines.append("  after load: \(definition.settle.afterLoad.rawValue)")
    if definition.load.postgres != nil {
        lines.append("  several workers may load this store together: each claims the files it loads, "
                     + "under a lease of \(definition.workers.leaseTTL) renewed every third of it")
    } else {
        lines.append("  one run writes this store at a time")
    }
    return lines.joined(separator: "\n")
}

/// A minimum or maximum written in its column's own type: `1` for an integer, `0.00` for a
/// `decimal(12,2)`, as the pipeline file would say it.
func bound(_ value: Double, as type: ColumnType) -> String {
    let integral = value.rounded() == value && abs(value) < 9.2e18
    switch type {
    case .decimal(_, let scale): return String(format: "%.\(scale)f", value)
    case .integer where integral: return String(Int64(value))
    default: return integral ? String(Int64(value)) : String(value)
    }
}

/// Where an endpoint's token comes from and whether it is there; never the token itself.
private func tokenNote(_ endpoint: EndpointDefinition) -> String {
    guard let variable = endpoint.bearerEnvironment else { return "" }
    let isSet = !(ProcessInfo.processInfo.environment[variable] ?? "").isEmpty
    return " (bearer token from $\(variable), \(isSet ? "set" : "NOT SET: a run stops at once"))"
}
