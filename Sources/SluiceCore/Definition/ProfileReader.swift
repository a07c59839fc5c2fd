import Foundation
import Yams

/// Reads supplier profiles: the named ones under `profiles`, the pipeline default (the profile
/// keys under `source`) and each supplier's (a named profile, then keys inline), checked
/// against the schema before any file is read.
struct ProfileReader {
    /// The keys a profile takes, wherever it is written.
    static let keys = ["delimiter", "quote", "escape", "header", "columns", "aliases", "header_match", "decimal",
                       "thousands", "date_format", "timestamp_format", "timezone", "null_values", "trim", "encoding",
                       "on_drift", "extra_columns"]

    let schema: SchemaDefinition
    /// The named profiles, as written: each applies over whatever it is named on.
    private(set) var named: [String: MappingReader] = [:]

    init(schema: SchemaDefinition, profiles node: ConfigNode?) throws {
        self.schema = schema
        guard let node else { return }
        guard case .mapping(let pairs) = node.node else { throw node.error("expected a mapping of profile names to profiles") }
        for (key, value) in pairs {
            guard let name = key.string, isSafeName(name) else {
                throw node.error("a profile name is letters, digits, '-' and '_'")
            }
            let map = try node.child(name, value).mapping(allowed: Self.keys)
            named[name] = map
            // Checked on its own, so a profile no supplier uses yet is still a valid one.
            _ = try apply(map, to: SupplierProfile())
        }
    }

    /// The profile `map` describes on top of `base`: its `profile:` name first, then its own keys.
    func profile(_ map: MappingReader, over base: SupplierProfile) throws -> SupplierProfile {
        var profile = base
        if let nameNode = map["profile"] {
            let name = try nameNode.string()
            guard let named = named[name] else {
                let hint = closestMatch(to: name, in: Array(self.named.keys)).map { ", did you mean \($0)?" } ?? ""
                throw nameNode.error(self.named.isEmpty ? "no profile named '\(name)': declare it under profiles"
                                                        : "no profile named '\(name)'\(hint)")
            }
            profile = try apply(named, to: profile)
            profile.name = name
        }
        return try apply(map, to: profile)
    }

    /// `base` with the profile keys of `map` set.
    func apply(_ map: MappingReader, to base: SupplierProfile) throws -> SupplierProfile {
        var p = base
        if let node = map["delimiter"] { p.delimiter = try singleByte(node, what: "delimiter") }
        if let node = map["quote"] { p.quote = try singleByte(node, what: "quote") }
        if let node = map["escape"] { p.escape = try node.oneOf(QuoteEscape.self) }
        if let node = map["header"] { p.header = try node.oneOf(HeaderPresence.self) }
        if let node = map["header_match"] { p.headerMatch = try node.oneOf(HeaderMatch.self) }
        if let node = map["encoding"] { p.encoding = try node.oneOf(TextEncoding.self) }
        if let node = map["on_drift"] { p.onDrift = try node.oneOf(DriftPolicy.self) }
        if let node = map["extra_columns"] { p.extraColumns = try node.oneOf(ExtraColumnPolicy.self) }
        if let node = map["trim"] { p.trim = try node.bool() }
        if let node = map["decimal"] {
            let text = try node.string()
            guard text == "." || text == "," else { throw node.error("decimal is \".\" or \",\", found '\(text)'") }
            p.numbers.decimal = text.utf8.first!
        }
        if let node = map["thousands"] {
            let text = try node.string()
            let allowed = ["none", ",", ".", " ", "'"]
            guard allowed.contains(text) else { throw node.error("thousands is none, \",\", \".\", \" \" or \"'\", found '\(text)'") }
            p.numbers.thousands = text == "none" ? nil : text.utf8.first!
        }
        if let node = map["null_values"] {
            p.nullValues = Array(Set([""] + (try node.stringList()))).sorted()
        }
        if let node = map["date_format"] { p.dateFormat = try layout(node, timestamp: false) }
        if let node = map["timestamp_format"] { p.timestampFormat = try layout(node, timestamp: true) }
        if let node = map["timezone"] {
            let text = try node.string()
            guard let zone = ZoneRule(parsing: text) else {
                throw node.error("timezone is UTC, an offset such as +01:00, or a zone name such as Europe/Berlin, found '\(text)'")
            }
            p.timeZone = zone
        }
        if let node = map["aliases"] { p.aliases = try aliases(node) }
        if let node = map["columns"] { p.columns = try columns(node) }
        try check(p, map)
        return p
    }

    private func layout(_ node: ConfigNode, timestamp: Bool) throws -> String {
        let text = try node.string()
        if let problem = DateLayout.problem(in: text, timestamp: timestamp) { throw node.error(problem) }
        return text
    }

    private func singleByte(_ node: ConfigNode, what: String) throws -> UInt8 {
        let text = try node.string()
        let bytes = Array((text == "\\t" ? "\t" : text).utf8)
        guard bytes.count == 1, bytes[0] != 10, bytes[0] != 13 else {
            throw node.error("the \(what) is one single-byte character other than a newline, found '\(text)'")
        }
        return bytes[0]
    }

    /// `column: [names]`: every column must exist, and no header name may lead to two columns.
    private func aliases(_ node: ConfigNode) throws -> [String: [String]] {
        guard case .mapping(let pairs) = node.node else { throw node.error("expected column: [header names] pairs") }
        var result: [String: [String]] = [:]
        var owner: [String: String] = [:]
        for (key, value) in pairs {
            guard let column = key.string else { throw node.error("expected column: [header names] pairs") }
            let child = node.child(column, value)
            try requireColumn(column, at: child)
            let names = try child.stringList()
            for name in names + [column] {
                if let other = owner[name], other != column {
                    throw child.error("the header name '\(name)' is claimed by both \(other) and \(column)")
                }
                owner[name] = column
            }
            result[column] = names
        }
        for column in schema.columns.map(\.name) where owner[column] != nil && owner[column] != column {
            throw node.error("'\(column)' is a column of its own and cannot be an alias of \(owner[column]!)")
        }
        return result
    }

    /// The schema columns of a headerless file, in file order; `~` (or `_skip`) skips a field.
    private func columns(_ node: ConfigNode) throws -> [String] {
        let items = try node.sequence()
        var seen = Set<String>()
        return try items.map { item in
            if case .scalar(let scalar) = item.node, scalar.string == "~" || scalar.string == "null" || scalar.string == "_skip" { return "" }
            let name = try item.string()
            try requireColumn(name, at: item)
            guard seen.insert(name).inserted else { throw item.error("column '\(name)' is named twice") }
            return name
        }
    }

    private func requireColumn(_ name: String, at node: ConfigNode) throws {
        let names = schema.columns.map(\.name)
        guard names.contains(name) else {
            let hint = closestMatch(to: name, in: names).map { ", did you mean \($0)?" } ?? ""
            throw node.error("no schema column named '\(name)'\(hint)")
        }
    }

    /// Rules between keys: they hold for the profile as a whole, whichever level set each key.
    private func check(_ p: SupplierProfile, _ map: MappingReader) throws {
        let place = map["delimiter"] ?? map["quote"] ?? map.owner
        if p.delimiter == p.quote { throw place.error("the delimiter and the quote are both '\(Character(UnicodeScalar(p.delimiter)))'") }
        if p.escape == .backslash && (p.delimiter == 92 || p.quote == 92) {
            throw (map["escape"] ?? place).error("escape: backslash needs a delimiter and a quote other than '\\'")
        }
        if let t = p.numbers.thousands, t == p.numbers.decimal || t == p.delimiter {
            throw (map["thousands"] ?? map["decimal"] ?? place).error("the thousands separator must differ from the decimal separator and the delimiter")
        }
        if p.numbers.decimal == p.delimiter {
            throw (map["decimal"] ?? place).error("the decimal separator is the delimiter: quote such numbers, or use another delimiter")
        }
        if p.header == .absent {
            let named = p.columns ?? schema.columns.map(\.name)
            let missing = schema.columns.filter { $0.required && !named.contains($0.name) }.map(\.name)
            if !missing.isEmpty {
                throw (map["columns"] ?? map["header"] ?? place).error("header: absent, and columns leaves out the required \(missing.joined(separator: ", "))")
            }
        } else if p.columns != nil, let node = map["columns"] {
            throw node.error("columns is for files without a header (header: absent)")
        }
    }
}

extension ZoneRule {
    /// `UTC`, `Z`, `+01:00`, `-0530`, or a zone name the system knows.
    init?(parsing text: String) {
        if text == "UTC" || text == "Z" || text == "GMT" { self = .offset(minutes: 0); return }
        if let sign = text.first, sign == "+" || sign == "-" {
            let digits = text.dropFirst().filter { $0 != ":" }
            guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
            let (h, m) = digits.count == 2 ? (value, 0) : (value / 100, value % 100)
            guard h < 24, m < 60 else { return nil }
            self = .offset(minutes: (sign == "-" ? -1 : 1) * (h * 60 + m))
            return
        }
        guard TimeZone(identifier: text) != nil else { return nil }
        self = .named(text)
    }
}
