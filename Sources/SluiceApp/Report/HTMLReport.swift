import Foundation
import SluiceCore

/// One run as a self-contained HTML page: no script, no font or file fetched, so it opens
/// anywhere. A timeline with a lane per supplier and a bar per file (the lane's rows are its
/// slots, so caps and staggered starts show), throughput over time, latency per stage, the
/// reconcile table, the commonest quarantine reasons with example rows, and header drift.
public struct HTMLReport {
    public let report: RunReport

    public init(_ report: RunReport) { self.report = report }

    public func render() -> String {
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(escape(report.pipeline)) run \(report.run.id)</title>
            <style>\(Self.style)</style></head><body>
            <h1>\(escape(report.pipeline)) <span class="run">run \(report.run.id)</span></h1>
            <p class="meta">\(escape(meta()))</p>

            """
        page += TimelineSVG(report: report).render()
        page += throughput()
        page += latency()
        page += reconcile()
        page += quarantine()
        page += HeaderDriftReport(report).html
        page += "</body></html>\n"
        return page
    }

    private func meta() -> String {
        let started = Date(timeIntervalSince1970: report.run.startedAt).formatted(Date.ISO8601FormatStyle())
        let wall = report.run.finishedAt.map { String(format: "%.1f s", $0 - report.run.startedAt) } ?? "not finished"
        let exit = report.run.exitCode.map { "exit code \($0)" } ?? "no exit code"
        return "started \(started) · \(wall) · \(exit) · \(report.files.count) files · \(report.rows(of: nil).loaded) rows loaded"
    }

    private func reconcile() -> String {
        var html = """
            <section id="reconcile"><h2>Rows: read = loaded + quarantined + filtered</h2>
            <table><tr><th>supplier</th><th>files</th><th>read</th><th>loaded</th><th>quarantined</th><th>filtered</th>\
            <th>blank lines</th><th>reconciles</th></tr>

            """
        func row(_ name: String, _ supplier: String?, total: Bool = false) -> String {
            let rows = report.rows(of: supplier)
            let files = report.files.count { supplier == nil || $0.supplier == supplier }
            let cells = [files, rows.read, rows.loaded, rows.quarantined, rows.filtered, rows.blankLinesSkipped]
                .map { "<td class=\"n\">\($0)</td>" }.joined()
            return "<tr\(total ? " class=\"total\"" : "")><td>\(escape(name))</td>\(cells)<td>\(rows.reconciles ? "yes" : "<b>NO</b>")</td></tr>\n"
        }
        for supplier in report.suppliers { html += row(supplier, supplier) }
        html += row("total", nil, total: true)
        return html + "</table></section>\n"
    }

    /// Rows loaded per second over the run, by the time each file finished.
    private func throughput() -> String {
        let (start, end) = TimelineSVG.span(report)
        // Drawn under the timeline's plot, on the same time scale.
        let slices = 60, width = TimelineSVG.plotWidth, left = TimelineSVG.labelWidth, height = 120.0
        let slice = max((end - start) / Double(slices), 0.001)
        var rows = Array(repeating: 0, count: slices)
        for file in report.files {
            rows[min(slices - 1, max(0, Int((file.finishedAt - start) / slice)))] += file.rows.loaded
        }
        let peak = max(1, rows.max() ?? 1)
        let barWidth = width / Double(slices)
        var bars = ""
        for (index, count) in rows.enumerated() where count > 0 {
            let barHeight = height * Double(count) / Double(peak)
            bars += String(format: "<rect class=\"rate\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%.0f rows/s</title></rect>",
                           left + Double(index) * barWidth, height - barHeight, max(1, barWidth - 1), barHeight, Double(count) / slice)
        }
        return """
            <section id="throughput"><h2>Throughput</h2>
            <p>Rows loaded per second, by the time each file finished; peak \(Int(Double(peak) / slice)) rows/s, \
            one bar = \(Self.duration(slice)).</p>
            <svg class="throughput" width="\(Int(left + width))" height="\(Int(height))" viewBox="0 0 \(Int(left + width)) \(Int(height))">\(bars)</svg>
            </section>

            """
    }

    private func latency() -> String {
        guard !report.stages.isEmpty else {
            return "<section id=\"latency\"><h2>Latency per stage</h2><p>This run kept no latencies.</p></section>\n"
        }
        var html = """
            <section id="latency"><h2>Latency per stage</h2>
            <table><tr><th>stage</th><th>count</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>

            """
        for stage in report.stages {
            let cells = [stage.p50, stage.p95, stage.p99, stage.max].map { "<td class=\"n\">\(Self.duration($0))</td>" }.joined()
            html += "<tr><td>\(escape(stage.stage.replacingOccurrences(of: "_", with: " ")))</td><td class=\"n\">\(stage.count)</td>\(cells)</tr>\n"
        }
        return html + "</table></section>\n"
    }

    private func quarantine() -> String {
        guard !report.quarantineReasons.isEmpty else {
            return "<section id=\"quarantine\"><h2>Quarantine</h2><p>Nothing was quarantined.</p></section>\n"
        }
        var html = """
            <section id="quarantine"><h2>Top quarantine reasons</h2>
            <table><tr><th>reason</th><th>count</th><th>examples</th></tr>

            """
        for reason in report.quarantineReasons {
            let examples = reason.examples.map { example in
                let place = [example.line.map { "line \($0)" }, example.byteOffset.map { "byte \($0)" }].compactMap { $0 }.joined(separator: ", ")
                return "<div class=\"example\">\(escape("\(example.supplier)/\(example.file) \(place)"))"
                    + (example.raw.map { "<code>\(escape(String($0.prefix(200))))</code>" } ?? "") + "</div>"
            }.joined()
            html += "<tr><td>\(escape(reason.reason))</td><td class=\"n\">\(reason.count)</td><td>\(examples)</td></tr>\n"
        }
        return html + "</table></section>\n"
    }

    /// Seconds as a person reads them: µs, ms or s.
    static func duration(_ seconds: Double) -> String {
        if seconds < 0.001 { return String(format: "%.0f µs", seconds * 1_000_000) }
        if seconds < 1 { return String(format: "%.1f ms", seconds * 1_000) }
        return String(format: "%.2f s", seconds)
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2937}h1{margin:0 0 4px}h1 .run{color:#6b7280;font-weight:normal}\
        .meta{color:#4b5563}h2{font-size:16px;margin:28px 0 8px}table{border-collapse:collapse}\
        td,th{padding:3px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}\
        tr.total td{font-weight:bold}.example{font-size:12px;color:#4b5563}.example code{display:block;color:#111827;white-space:pre-wrap;word-break:break-all}\
        svg text{font:11px system-ui,sans-serif;fill:#374151}.bar.done,.bar.empty{fill:#3b82f6}.bar.quarantined{fill:#ef4444}\
        .bar.failed{fill:#f59e0b}.bar.other{fill:#9ca3af}.rate{fill:#10b981}.lane-bg{fill:#f3f4f6}.axis{stroke:#d1d5db}\
        .count{color:#6b7280}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
        """
}

/// Text made safe inside HTML elements and attributes. Scalars, not characters: a quote with
/// a combining mark after it is one `Character` that is not `"`, yet it still ends an attribute.
func escape(_ text: String) -> String {
    var escaped = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
        case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
        case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
        case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
        case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
        default: escaped.append(scalar)
        }
    }
    return String(escaped)
}
