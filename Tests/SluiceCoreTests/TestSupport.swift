import Foundation
import Testing
@testable import SluiceCore

/// A small, seedable generator so property tests are reproducible: a failing case names its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` over the bytes of `text`.
func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try Array(text.utf8).withUnsafeBufferPointer(body)
}

/// Runs `body` over raw `bytes`.
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer(body)
}

/// A `RawRow` whose fields are the given byte strings.
func rawRow(_ fields: [[UInt8]], line: Int = 2) -> RawRow {
    var row = RawRow()
    for field in fields {
        row.fieldBytes.append(contentsOf: field)
        row.fieldEnds.append(row.fieldBytes.count)
        row.raw.append(contentsOf: field)
        row.raw.append(UInt8(ascii: ","))
    }
    row.line = line
    return row
}

/// A `RawRow` whose fields are the UTF-8 bytes of the given strings.
func rawRow(_ fields: [String], line: Int = 2) -> RawRow {
    rawRow(fields.map { Array($0.utf8) }, line: line)
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("SluiceCoreTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
