import Foundation
import Yams

/// A YAML node with the key path that reached it, so every error can say where it is.
///
/// Reading a mapping through `ConfigNode` rejects keys the reader did not ask for,
/// the way Vector's `deny_unknown_fields` does.
struct ConfigNode {
    let node: Node
    let path: String

    var line: Int? { node.mark?.line }

    func error(_ message: String) -> DefinitionError {
        DefinitionError(keyPath: path, line: line, message)
    }

    func child(_ key: String, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The mapping's entries, checked against the keys the caller understands.
    func mapping(allowed: [String]) throws -> MappingReader {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping")
        }
        var entries: [String: ConfigNode] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error("keys must be strings") }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                let hint = closestMatch(to: key, in: allowed).map { ", did you mean \($0)?" } ?? ""
                throw DefinitionError(keyPath: keyPath, line: keyNode.mark?.line, "unknown key\(hint)")
            }
            guard entries[key] == nil else {
                throw DefinitionError(keyPath: keyPath, line: keyNode.mark?.line, "duplicate key")
            }
            entries[key] = child(key, value)
        }
        return MappingReader(owner: self, entries: entries)
    }

    func sequence() throws -> [ConfigNode] {
        guard case .sequence(let items) = node else { throw error("expected a list") }
        return items.enumerated().map { child(String($0.offset), $0.element) }
    }

    /// A list, or a single scalar taken as a one-element list.
    func stringList() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequence().map { try $0.string() }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a text value") }
        return scalar.string
    }

    func int(min: Int = .min) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error("expected a whole number, found \(describe())")
        }
        guard value >= min else { throw error("must be at least \(min), found \(value)") }
        return value
    }

    func double() throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string) else {
            throw error("expected a number, found \(describe())")
        }
        return value
    }

    func bool() throws -> Bool {
        guard let value = node.bool else { throw error("expected true or false, found \(describe())") }
        return value
    }

    /// `200ms`, `1.5s`, `2m`, or a bare number of seconds.
    func duration() throws -> Duration {
        let text = try string().trimmingCharacters(in: .whitespaces)
        if let parsed = parseDuration(text) { return parsed }
        throw error("expected a duration such as 200ms, 2s or 1m (at most a year), found '\(text)'")
    }

    /// `1MiB`, `512KB`, `4GiB` or a byte count.
    func byteSize() throws -> Int {
        let text = try string().replacingOccurrences(of: " ", with: "")
        let units: [(String, Double)] = [("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 1, value * scale < 1e15 { return Int(value * scale) }
        }
        if let value = Int(text), value >= 1 { return value }
        throw error("expected a size such as 1MiB, 512KB or 4GiB, found '\(text)'")
    }

    /// `3/s`, `120/m`, `1000/h` or a bare number per second.
    func rate() throws -> Double {
        let text = try string().replacingOccurrences(of: " ", with: "")
        let parts = text.split(separator: "/")
        let per: [String: Double] = ["s": 1, "m": 60, "h": 3600]
        if parts.count == 2, let count = Double(parts[0]), count > 0, let seconds = per[String(parts[1])] {
            return count / seconds
        }
        if parts.count == 1, let count = Double(text), count > 0 { return count }
        throw error("expected a rate such as 3/s, 120/m or 1000/h, found '\(text)'")
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T where T.RawValue == String {
        let text = try string()
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        throw error("must be one of \(names.joined(separator: ", ")), found '\(text)'")
    }

    private func describe() -> String {
        switch node {
        case .scalar(let s): "'\(s.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// The checked entries of one mapping.
struct MappingReader {
    let owner: ConfigNode
    let entries: [String: ConfigNode]

    subscript(key: String) -> ConfigNode? { entries[key] }

    func require(_ key: String) throws -> ConfigNode {
        guard let value = entries[key] else { throw owner.error("missing required key '\(key)'") }
        return value
    }
}

/// A duration such as `200ms`, `30s`, `10m` or `2h` (a bare number is seconds); nil when it is
/// not one. At most a year: anything longer is surely a typo and would overflow.
public func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
    var seconds: Double?
    if let (suffix, scale) = units.first(where: { text.hasSuffix($0.0) }) {
        seconds = Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)).map { $0 * scale }
    } else {
        seconds = Double(text)
    }
    guard let seconds, seconds.isFinite, seconds >= 0, seconds <= 366 * 86_400 else { return nil }
    return .milliseconds(Int64((seconds * 1000).rounded()))
}

/// The allowed key nearest to a mistyped one, if it is close enough to be a typo.
func closestMatch(to key: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
    guard let (best, distance) = scored, distance <= max(2, key.count / 4) else { return nil }
    return best
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        previous = current
    }
    return previous[b.count]
}
