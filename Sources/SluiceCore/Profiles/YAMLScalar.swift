/// YAML text for one value: plain where YAML reads it back as the same string, double-quoted
/// (with escapes) where it would not, such as `;`, `,`, `'`, a tab, `yes` or `1.5`.
enum YAMLScalar {
    static func render(_ text: String) -> String {
        isPlain(text) ? text : quoted(text)
    }

    static func render(_ byte: UInt8) -> String { render(String(Unicode.Scalar(byte))) }

    static func list(_ items: [String]) -> String { "[" + items.map(render).joined(separator: ", ") + "]" }

    /// Words YAML 1.1 or 1.2 resolve to a boolean or null rather than a string.
    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    private static func isPlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
              !reserved.contains(text.lowercased()) else { return false }
        // Letters, digits and `_ . / -`: nothing YAML gives a meaning, in block or flow context.
        return text.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0) }
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default:
                if ControlCharacters.isControl(scalar) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
