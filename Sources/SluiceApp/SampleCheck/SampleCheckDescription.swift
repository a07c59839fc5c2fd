import SluiceCore

/// What `sluice check --sample` prints: the profile to paste, what the sample left open, how
/// the header maps, and the rows as they would load. Text from the file is escaped line by line.
public func describeSampleCheck(_ check: SampleCheck) -> String {
    let guess = check.guess
    var lines: [String] = []
    let header = guess.profile.header == .present ? "a header" : "no header"
    lines.append("sample \(check.file): \(guess.sampledRecords) records sniffed, \(guess.profile.encoding.rawValue), \(header)")
    lines.append("")
    lines.append("profile (paste under profiles:)")
    lines += guess.yaml(name: check.profileName).split(separator: "\n").map(String.init)

    lines.append("")
    if guess.ambiguities.isEmpty {
        lines.append("ambiguities: none")
    } else {
        lines.append("ambiguities (the sniffer's pick is named; check each)")
        lines += guess.ambiguities.map { "  - " + $0 }
    }

    lines.append("")
    lines.append(guess.header == nil ? "fields (no header)" : "header")
    // Names that are column names, on one line; every other match on a line of its own.
    let exact = guess.mapping.filter { $0.match == .exact }.map(\.header)
    if !exact.isEmpty { lines.append("  column names as they are: " + exact.joined(separator: ", ")) }
    let positional = guess.mapping.filter { $0.match == .position }
    if !positional.isEmpty, positional.map(\.position) == Array(positional.indices) {
        // Without a header the fields are the columns in order: one line says it.
        lines.append("  fields 1-\(positional.count) by position: " + positional.map(\.column).joined(separator: ", "))
    }
    for map in guess.mapping where map.match != .exact && map.match != .position {
        let how = switch map.match {
        case .similar: "alias, a guess"
        default: "normalized"
        }
        lines.append("  \(map.header) -> \(map.column) (\(how))")
    }
    for name in guess.unmappedHeaders { lines.append("  \(name): no schema column of that name") }
    if !guess.missingColumns.isEmpty {
        let required = Set(guess.missingRequiredColumns)
        lines.append("  missing: " + guess.missingColumns.map { required.contains($0) ? "\($0) (required)" : $0 }.joined(separator: ", "))
    }

    if let supplier = check.supplier {
        lines.append("")
        if check.differences.isEmpty {
            lines.append("the profile matches how \(supplier)'s files are read now")
        } else {
            lines.append("differences from how \(supplier)'s files are read now")
            lines += check.differences.map { "  " + $0 }
        }
    }

    lines.append("")
    if let problem = check.fileProblem {
        lines.append("the file would not load: \(problem)")
        return finish(lines)
    }
    lines.append(check.loaded.isEmpty ? "rows as they would load: none"
                 : "rows as they would load (first \(check.loaded.count) of \(check.rowsLoaded))")
    for row in check.loaded {
        lines.append("  line \(row.line): " + row.values.map { "\($0.column)=\($0.value)" }.joined(separator: ", "))
    }
    if check.rowsInvalid > 0 {
        let fate = check.onInvalid == .drop ? "dropped" : "quarantined"
        lines.append("")
        lines.append("rows that would be \(fate) (\(check.rowsInvalid))")
        lines += check.invalid.map { "  line \($0.line): \($0.reason)" }
        if check.rowsInvalid > check.invalid.count { lines.append("  … and \(check.rowsInvalid - check.invalid.count) more") }
        if check.onInvalid == .fail { lines.append("  on_invalid: fail quarantines the whole file at the first of them") }
    }
    lines.append("")
    var tally = "\(check.rowsRead) rows read, \(check.rowsLoaded) would load, \(check.rowsInvalid) would not"
    if check.rowsFiltered > 0 { tally += ", \(check.rowsFiltered) filtered" }
    if !guess.headerMaps {
        lines.append("the header cannot map: no column for \(guess.missingRequiredColumns.joined(separator: ", ")); \(tally)")
    } else {
        lines.append((check.wouldLoad ? "the file would load: " : "the file would not load cleanly: ") + tally)
    }
    return finish(lines)
}

/// One line each, so a control character from the file cannot start a line of its own.
private func finish(_ lines: [String]) -> String {
    lines.map(ControlCharacters.escaped).joined(separator: "\n")
}
