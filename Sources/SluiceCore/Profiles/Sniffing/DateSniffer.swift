/// `date_format` and `timestamp_format`: the layout that reads every date (or timestamp) column's values.
enum DateSniffer {
    /// A way of reading dates the sniffer weighs.
    struct Candidate {
        var name: String
        var dayFirst: Bool
        var reads: ([UInt8]) -> Bool

        init(_ layout: SniffedLayout) {
            name = layout.text
            dayFirst = layout.dayFirst
            reads = { layout.read($0) != nil }
        }

        init(name: String, reads: @escaping ([UInt8]) -> Bool) {
            self.name = name
            dayFirst = false
            self.reads = reads
        }
    }

    /// The date layout, nil when the columns' own formats (ISO by default) already read them.
    static func dateFormat(_ samples: ColumnSamples) -> (String?, [String]) {
        let columns = samples.of { $0 == .date }
        let declared = Set(columns.map { $0.definition.format ?? SniffedLayout.iso.text })
        guard let (layout, ambiguities) = pick(columns, from: SniffedLayout.dates.map(Candidate.init), what: "date") else {
            return (nil, [])
        }
        return (declared == [layout] ? nil : layout, ambiguities)
    }

    /// The timestamp layout, nil when Sluice's own ISO 8601 reading takes them.
    static func timestampFormat(_ samples: ColumnSamples) -> (String?, [String]) {
        let columns = samples.of { $0 == .timestamp }
        let isISO: ([UInt8]) -> Bool = { $0.withUnsafeBufferPointer(ByteParsers.isTimestamp) }
        let iso = Candidate(name: "ISO 8601", reads: isISO)
        guard case (let layout, var ambiguities)? = pick(columns, from: [iso] + SniffedLayout.timestamps.map(Candidate.init), what: "timestamp") else {
            return (nil, [])
        }
        let values = columns.flatMap(\.values)
        if values.contains(where: { !(isISO($0) && hasZone($0)) }) {
            let names = columns.filter { !$0.values.isEmpty }.map(\.definition.name).joined(separator: ", ")
            ambiguities.append("timestamps in \(names) carry no zone, and a sample cannot tell which they mean; they load "
                               + "as written unless the profile names one (timezone: UTC, or Europe/Berlin)")
        }
        return (layout == iso.name ? nil : layout, ambiguities)
    }

    /// The layout that reads the most values of all `columns`, day first where day and month
    /// cannot be told apart, with each doubt as a sentence. Nil without values.
    private static func pick(_ columns: [ColumnSamples.Column], from candidates: [Candidate], what: String) -> (String, [String])? {
        let values = columns.flatMap(\.values)
        guard !values.isEmpty else { return nil }
        let scored = candidates.map { candidate in (candidate, values.filter(candidate.reads).count) }
        let most = scored.map(\.1).max()!
        guard most > 0 else {
            let example = String(decoding: values[0], as: UTF8.self)
            return (candidates[0].name, ["no \(what) layout reads values such as '\(example)'; they would be quarantined"])
        }
        let best = scored.filter { $0.1 == most }.map(\.0)
        let pick = best.first(where: \.dayFirst) ?? best[0]
        var ambiguities: [String] = []
        if best.count > 1 {
            let others = best.filter { $0.name != pick.name }.map(\.name).joined(separator: " and ")
            let names = columns.filter { !$0.values.isEmpty }.map(\.definition.name).joined(separator: ", ")
            ambiguities.append("every \(what) in \(names) has day and month both 12 or less, so \(pick.name) and \(others) "
                               + "read them alike; picked \(pick.name) (day first)")
        }
        if most < values.count, let misfit = values.first(where: { !pick.reads($0) }) {
            ambiguities.append("\(values.count - most) of \(values.count) sampled \(what)s do not read as \(pick.name), "
                               + "such as '\(String(decoding: misfit, as: UTF8.self))'; picked \(pick.name) for the rest")
        }
        for column in columns where !column.values.isEmpty && !column.values.contains(where: pick.reads) {
            if let own = candidates.first(where: { candidate in column.values.allSatisfy(candidate.reads) }) {
                ambiguities.append("\(column.definition.name) reads as \(own.name), not \(pick.name); a profile has one \(what) layout")
            }
        }
        return (pick.name, ambiguities)
    }

    /// `Z` or a numeric offset after the time.
    private static func hasZone(_ value: [UInt8]) -> Bool {
        guard value.count > 16 else { return false }
        let tail = value[16...]
        return tail.last == UInt8(ascii: "Z") || tail.contains(UInt8(ascii: "+")) || tail.contains(UInt8(ascii: "-"))
    }
}
