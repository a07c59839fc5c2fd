/// FNV-1a, 64 bits: the same number for the same text in every process and on every machine
/// (Swift's `hashValue` is seeded per process), so it can be stored and compared later.
public func stableHash(_ text: String) -> UInt64 {
    text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

/// `stableHash(text)` as 16 hex digits.
public func stableDigest(_ text: String) -> String {
    let hex = String(stableHash(text), radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
