/// Writes delimited lines as bytes, quoting a field as RFC 4180 does when it holds the
/// delimiter, a quote or a line end.
struct RowWriter {
    var delimiter = UInt8(ascii: ",")
    /// ISO-8859-1 instead of UTF-8; every character written must then be in Latin-1.
    var latin1 = false
    var out: [UInt8] = []

    /// The fields at `order`'s indices, in that order, then a line end.
    mutating func line(_ fields: [String], order: [Int]) {
        for (position, index) in order.enumerated() {
            if position > 0 { out.append(delimiter) }
            field(fields[index])
        }
        out.append(10)
    }

    mutating func line(_ fields: [String]) { line(fields, order: Array(fields.indices)) }

    private mutating func field(_ text: String) {
        let quoted = text.utf8.contains { $0 == delimiter || $0 == 34 || $0 == 10 || $0 == 13 }
        if quoted { out.append(34) }
        if latin1 {
            for scalar in text.unicodeScalars {
                precondition(scalar.value < 256, "\(scalar) is not in Latin-1")
                if quoted && scalar == "\"" { out.append(34) }
                out.append(UInt8(scalar.value))
            }
        } else if quoted {
            for byte in text.utf8 {
                if byte == 34 { out.append(34) }
                out.append(byte)
            }
        } else {
            out.append(contentsOf: text.utf8)
        }
        if quoted { out.append(34) }
    }
}
