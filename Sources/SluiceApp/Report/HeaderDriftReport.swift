import SluiceCore

/// What a run's headers did, per supplier: how many of its files drifted from the schema (and
/// how), and where the supplier's header changed from the one before.
struct HeaderDriftReport {
    struct Supplier {
        var name: String
        /// Drift in words, with how many of the run's files showed it, commonest first.
        var drifts: [(drift: String, files: Int)]
        var changes: [HeaderChange]
    }

    let suppliers: [Supplier]

    init(_ report: RunReport) {
        let drifted = report.driftedFiles
        let changed = Dictionary(grouping: report.headerChanges, by: \.supplier)
        suppliers = Set(drifted.keys).union(changed.keys).sorted().map { name in
            let counts = Dictionary(grouping: drifted[name] ?? [], by: { $0.drift ?? "" }).mapValues(\.count)
            return Supplier(name: name, drifts: counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) },
                            changes: changed[name] ?? [])
        }
    }

    var isEmpty: Bool { suppliers.isEmpty }

    /// Lines for `sluice report`'s text.
    var lines: [String] {
        guard !isEmpty else { return ["no header drifted from the schema or changed in this run"] }
        var lines = ["headers:"]
        for supplier in suppliers {
            for drift in supplier.drifts {
                lines.append("  \(supplier.name): \(drift.files) file\(drift.files == 1 ? "" : "s") drifted: \(drift.drift)")
            }
            for change in supplier.changes {
                lines.append("  \(supplier.name): header changed at \(change.file): \(change.summary)")
            }
        }
        return lines
    }

    /// The HTML page's section.
    var html: String {
        guard !isEmpty else {
            return "<section id=\"headers\"><h2>Headers</h2><p>No header drifted from the schema or changed.</p></section>\n"
        }
        var html = """
            <section id="headers"><h2>Header drift and changes</h2>
            <table><tr><th>supplier</th><th>drift from the schema</th><th>header changes</th></tr>

            """
        for supplier in suppliers {
            let drifts = supplier.drifts.map { "<div>\(escape($0.drift)) <span class=\"count\">(\($0.files) file\($0.files == 1 ? "" : "s"))</span></div>" }
            let changes = supplier.changes.map { "<div>\(escape($0.file)): \(escape($0.summary))</div>" }
            html += "<tr class=\"supplier-headers\"><td>\(escape(supplier.name))</td><td>\(drifts.joined())</td><td>\(changes.joined())</td></tr>\n"
        }
        return html + "</table></section>\n"
    }
}
