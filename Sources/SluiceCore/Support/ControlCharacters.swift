/// Text from a supplier (file names, header cells, server messages) shown to people: C0 and C1
/// control characters and DEL are written as escapes, so a name cannot forge a log line or
/// move a terminal's cursor.
public enum ControlCharacters {
    /// Whether the scalar is a C0 control, DEL or a C1 control.
    @inlinable
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    /// Whether the text holds a control character (a NUL among them).
    public static func contains(in text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// Text of several lines for a terminal: each line escaped, the line breaks kept.
    public static func escapedLines(_ text: String) -> String {
        guard contains(in: text) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }.joined(separator: "\n")
    }

    /// The text with every control character written as `\n`, `\r`, `\t` or `\u{XX}`; a
    /// backslash stays as it is. Text without one is returned unchanged, without copying.
    public static func escaped(_ text: String) -> String {
        guard contains(in: text) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else { result.append(scalar); continue }
            switch scalar {
            case "\n": result.append(contentsOf: "\\n".unicodeScalars)
            case "\r": result.append(contentsOf: "\\r".unicodeScalars)
            case "\t": result.append(contentsOf: "\\t".unicodeScalars)
            default: result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(result)
    }
}
