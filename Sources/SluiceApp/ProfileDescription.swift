import SluiceCore

/// A profile in one line of `key value` pairs, as `sluice check` prints it: every key, so an
/// operator sees what a supplier's files are read with.
func describeProfile(_ p: SupplierProfile) -> String {
    func byte(_ b: UInt8) -> String { b == 9 ? "\\t" : String(Character(UnicodeScalar(b))) }
    var parts = ["profile \(p.name ?? "default")", "delimiter '\(byte(p.delimiter))'", "quote '\(byte(p.quote))'",
                 "escape \(p.escape.rawValue)", "header \(p.header.rawValue)"]
    if let columns = p.columns { parts.append("columns [\(columns.map { $0.isEmpty ? "~" : $0 }.joined(separator: ", "))]") }
    parts.append("header_match \(p.headerMatch.rawValue)")
    if !p.aliases.isEmpty {
        parts.append("aliases {" + p.aliases.keys.sorted().map { "\($0): [\(p.aliases[$0]!.joined(separator: ", "))]" }.joined(separator: "; ") + "}")
    }
    parts.append("decimal '\(byte(p.numbers.decimal))'")
    parts.append("thousands " + (p.numbers.thousands.map { "'\(byte($0))'" } ?? "none"))
    if let format = p.dateFormat { parts.append("date_format \(format)") }
    if let format = p.timestampFormat { parts.append("timestamp_format \(format)") }
    if let zone = p.timeZone { parts.append("timezone \(zone)") }
    parts.append("null_values [\(p.nullValues.map { "\"\($0)\"" }.joined(separator: ", "))]")
    parts += ["trim \(p.trim)", "encoding \(p.encoding.rawValue)", "on_drift \(p.onDrift.rawValue)", "extra_columns \(p.extraColumns.rawValue)"]
    return parts.joined(separator: ", ")
}
