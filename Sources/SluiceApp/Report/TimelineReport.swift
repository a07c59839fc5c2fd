import Foundation
import SluiceCore
import SluiceSQLite

/// The text timeline `sluice report --timeline` prints: per supplier, how many files were open
/// over the run (one digit per time slice, the most open in that slice), with the peak.
public func describeTimeline(_ timings: [FileTiming], caps: [String: Int], globalCap: Int, width: Int = 60) -> String {
    guard let start = timings.map(\.startedAt).min(), let end = timings.map(\.finishedAt).max(), end > start else {
        return "no files ran in the latest run"
    }
    let slice = (end - start) / Double(width)
    let suppliers = Set(timings.map(\.supplier)).sorted()
    let nameWidth = max(8, suppliers.map(\.count).max() ?? 0)
    var lines = [String(format: "latest run: %d files over %.1f s, one column = %.0f ms", timings.count, end - start, slice * 1000)]
    lines.append("")
    lines.append("supplier".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  open files over time" +
                 String(repeating: " ", count: max(0, width - 21)) + "  peak  cap  files  wait p50  attempts>1")
    func row(_ name: String, _ group: [FileTiming], cap: Int) -> String {
        var columns = Array(repeating: 0, count: width)
        for column in 0..<width {
            let from = start + Double(column) * slice, to = from + slice
            columns[column] = peakOpen(group, from: from, to: to)
        }
        let peak = peakOpen(group, from: start, to: end)
        let cells = columns.map { $0 == 0 ? "." : ($0 < 10 ? String($0) : "+") }.joined()
        let waits = group.map(\.slotWait).sorted()
        let median = waits.isEmpty ? 0 : waits[waits.count / 2]
        return name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + cells
            + String(format: "  %4d  %3d  %5d  %6.2fs  %10d", peak, cap, group.count, median, group.filter { $0.attempts > 1 }.count)
    }
    for supplier in suppliers {
        lines.append(row(supplier, timings.filter { $0.supplier == supplier }, cap: caps[supplier] ?? 0))
    }
    lines.append(row("all", timings, cap: globalCap))
    return lines.joined(separator: "\n")
}

/// The most files open at one instant within [from, to); a finish frees its slot before a start at the same instant.
public func peakOpen(_ timings: [FileTiming], from: Double, to: Double) -> Int {
    var events: [(time: Double, delta: Int)] = []
    for timing in timings where timing.startedAt < to && timing.finishedAt > from {
        events.append((max(timing.startedAt, from), 1))
        events.append((timing.finishedAt, -1))
    }
    events.sort { $0.time == $1.time ? $0.delta < $1.delta : $0.time < $1.time }
    var open = 0, peak = 0
    for event in events {
        open += event.delta
        peak = max(peak, open)
    }
    return peak
}

/// Per-supplier caps as the definition sets them.
public func supplierCaps(_ definition: PipelineDefinition, suppliers: [String]) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: suppliers.map { name in
        (name, definition.source.suppliers.first { $0.name == name }?.concurrency ?? definition.limits.perSupplierConcurrency)
    })
}

/// The latest run's file timings from the store.
/// - Throws: `StoreError`.
public func readTimeline(_ definition: PipelineDefinition) throws -> [FileTiming] {
    try openStore(definition, readOnly: true).timeline()
}
