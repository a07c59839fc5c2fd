import Foundation
import SluiceCore

/// The report's timeline: one lane per supplier, one bar per file from its slot to the end of
/// its read. Each lane has a row per slot, a file taking the lowest slot free when it started,
/// so a lane is never taller than the most files the supplier had open at once.
struct TimelineSVG {
    let report: RunReport

    static let labelWidth = 170.0, plotWidth = 1_000.0, slotHeight = 7.0, laneGap = 8.0, axisHeight = 22.0

    /// The first start and last finish of the run's files.
    static func span(_ report: RunReport) -> (start: Double, end: Double) {
        let start = report.files.map(\.startedAt).min() ?? report.run.startedAt
        let end = max(report.files.map(\.finishedAt).max() ?? start, start + 0.001)
        return (start, end)
    }

    /// Slot row per file of one supplier (files in start order), and the rows used.
    static func slots(_ files: [ReportedFile]) -> (rows: [Int], used: Int) {
        var ends: [Double] = []
        var rows: [Int] = []
        for file in files {
            if let free = ends.firstIndex(where: { $0 <= file.startedAt }) {
                ends[free] = file.finishedAt
                rows.append(free)
            } else {
                ends.append(file.finishedAt)
                rows.append(ends.count - 1)
            }
        }
        return (rows, ends.count)
    }

    func render() -> String {
        let (start, end) = Self.span(report)
        let scale = Self.plotWidth / (end - start)
        let x = { (time: Double) in Self.labelWidth + (time - start) * scale }
        var lanes = ""
        var top = Self.axisHeight
        for supplier in report.suppliers {
            let files = report.files.filter { $0.supplier == supplier }
            let (rows, used) = Self.slots(files)
            let cap = report.caps[supplier] ?? used
            let height = Double(max(cap, used)) * Self.slotHeight
            lanes += "<g class=\"lane\" data-supplier=\"\(escape(supplier))\">"
            lanes += String(format: "<rect class=\"lane-bg\" x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\"/>",
                            Self.labelWidth, top, Self.plotWidth, height)
            lanes += "<text x=\"4\" y=\"\(fixed(top + min(height, 14) - 3, 1))\">\(escape("\(supplier)  \(used)/\(cap)"))</text>"
            for (file, row) in zip(files, rows) {
                let kind = ["done", "empty", "quarantined", "failed"].contains(file.state) ? file.state : "other"
                let width = max(1, (file.finishedAt - file.startedAt) * scale)
                let tip = "\(file.file) · \(file.state) · \(fixed(file.finishedAt - file.startedAt, 3)) s · "
                    + "waited \(fixed(file.slotWait, 3)) s · \(file.rows.loaded) rows loaded"
                lanes += "<rect class=\"bar \(kind)\" x=\"\(fixed(x(file.startedAt), 2))\" "
                    + "y=\"\(fixed(top + Double(row) * Self.slotHeight + 0.5, 1))\" width=\"\(fixed(width, 2))\" "
                    + "height=\"\(fixed(Self.slotHeight - 1, 1))\"><title>\(escape(tip))</title></rect>"
            }
            lanes += "</g>\n"
            top += height + Self.laneGap
        }
        let height = top + 4
        var axis = ""
        for tick in 0...10 {
            let seconds = (end - start) * Double(tick) / 10
            let position = x(start + seconds)
            axis += "<line class=\"axis\" x1=\"\(fixed(position, 1))\" y1=\"\(fixed(Self.axisHeight - 4, 0))\" "
                + "x2=\"\(fixed(position, 1))\" y2=\"\(fixed(height, 0))\"/>"
                + "<text x=\"\(fixed(position, 1))\" y=\"14\" text-anchor=\"\(tick == 10 ? "end" : "middle")\">"
                + "\(Self.seconds(seconds, span: end - start))</text>"
        }
        let totalWidth = Int(Self.labelWidth + Self.plotWidth + 10)
        return """
            <section id="timeline"><h2>Timeline</h2>
            <p>One lane per supplier, one bar per file from its slot to the end of its read; a lane's rows are \
            its slots, labelled most open / cap. All suppliers together: at most \(TimelineSVG.peak(report.files)) open \
            of \(report.globalCap).</p>
            <p class="legend"><span class="bar done" style="background:#3b82f6"></span>loaded\
            <span style="background:#ef4444"></span>quarantined<span style="background:#f59e0b"></span>failed\
            <span style="background:#9ca3af"></span>other</p>
            <svg class="timeline" width="\(totalWidth)" height="\(Int(height))" viewBox="0 0 \(totalWidth) \(Int(height))">
            \(axis)
            \(lanes)</svg></section>

            """
    }

    /// An axis label, as precise as the run's length needs.
    static func seconds(_ value: Double, span: Double) -> String {
        if span < 1 { return "\(Int((value * 1_000).rounded())) ms" }
        return span < 10 ? "\(fixed(value, 1)) s" : "\(Int(value.rounded())) s"
    }

    /// The most files open at one instant.
    static func peak(_ files: [ReportedFile]) -> Int {
        peakOpen(files.map { FileTiming(supplier: $0.supplier, file: $0.file, startedAt: $0.startedAt, finishedAt: $0.finishedAt) },
                 from: -.infinity, to: .infinity)
    }
}

/// A number with `digits` decimals, for SVG attributes.
func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
