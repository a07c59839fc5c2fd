import Foundation
import Testing
@testable import SluiceCore

/// A small, seedable generator so property tests are reproducible: a failing case names its seed.
typealias SplitMix64 = SluiceCore.SplitMix64

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
