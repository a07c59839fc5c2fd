import Yams

/// A `--set key.path=value` override, applied to the YAML tree before it is checked.
struct Override {
    let path: [String]
    let value: Node

    init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw DefinitionError(keyPath: text, line: nil, "override must look like key.path=value")
        }
        path = text[..<equals].split(separator: ".").map(String.init)
        guard !path.isEmpty else { throw DefinitionError(keyPath: text, line: nil, "override has an empty key path") }
        let raw = String(text[text.index(after: equals)...])
        value = (try? Yams.compose(yaml: raw)).flatMap { $0 } ?? Node(raw)
    }

    func apply(to root: Node) throws -> Node {
        try set(value, at: path[...], in: root, walked: [])
    }

    private func set(_ value: Node, at keys: ArraySlice<String>, in node: Node, walked: [String]) throws -> Node {
        guard let key = keys.first else { return value }
        let here = walked + [key]
        switch node {
        case .mapping(var mapping):
            let existing = mapping[key] ?? Node([(Node, Node)]())
            mapping[key] = try set(value, at: keys.dropFirst(), in: existing, walked: here)
            return .mapping(mapping)
        case .sequence(var sequence):
            // An index one past the end appends, so `--set transform.4=...` can add a step.
            guard let index = Int(key), index >= 0, index <= sequence.count else {
                throw DefinitionError(keyPath: here.joined(separator: "."), line: nil, "override: no list item \(key)")
            }
            let existing = index < sequence.count ? sequence[index] : Node([(Node, Node)]())
            let updated = try set(value, at: keys.dropFirst(), in: existing, walked: here)
            sequence.replaceSubrange(index..<min(index + 1, sequence.count), with: [updated])
            return .sequence(sequence)
        default:
            throw DefinitionError(keyPath: walked.joined(separator: "."), line: node.mark?.line,
                                  "override: cannot set '\(key)' inside a plain value")
        }
    }
}
