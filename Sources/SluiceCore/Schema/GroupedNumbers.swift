extension ByteParsers {
    /// A number written with a supplier's separators (`1.234,50` with decimal `,` and
    /// thousands `.`) rewritten plain (`1234.50`) into `out`; nil when its digit groups are
    /// not whole thousands, so `1,5` is never read as fifteen nor `1.234` as a fraction.
    /// - Returns: the count of bytes written.
    static func plainNumber(_ b: UnsafeBufferPointer<UInt8>, _ format: NumberFormat,
                            into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var count = 0
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") { out[count] = b[i]; count += 1; i += 1 }
        var groupDigits = 0, groups = 0, sawSeparator = false
        while i < b.count, b[i] != format.decimal {
            let byte = b[i]
            if let thousands = format.thousands, byte == thousands {
                // The first group has 1 to 3 digits, every later one exactly 3.
                guard groupDigits >= 1, groups == 0 ? groupDigits <= 3 : groupDigits == 3 else { return nil }
                sawSeparator = true
                groups += 1
                groupDigits = 0
            } else {
                guard byte &- 48 < 10 else { return nil }
                out[count] = byte
                count += 1
                groupDigits += 1
            }
            i += 1
        }
        if sawSeparator && groupDigits != 3 { return nil }
        if i < b.count {
            out[count] = UInt8(ascii: ".")
            count += 1
            i += 1
            while i < b.count {
                guard b[i] &- 48 < 10 else { return nil }
                out[count] = b[i]
                count += 1
                i += 1
            }
        }
        return count
    }
}
