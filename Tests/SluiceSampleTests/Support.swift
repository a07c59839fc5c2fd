import Foundation
import SluiceCore
@testable import SluiceCSV
@testable import SluiceSample
import Testing

extension SampleConfiguration {
    /// 20 suppliers (every mixed style twice or more), four files each, many bad rows and gzip files.
    static func small(_ style: SampleStyle, seed: UInt64 = 42) -> SampleConfiguration {
        var config = SampleConfiguration()
        config.suppliers = 20
        config.filesPerSupplier = 4
        config.fileSize = 6_000
        config.invalidRatio = 0.05
        config.gzipRatio = 0.3
        config.seed = seed
        config.style = style
        return config
    }
}

/// A sample generated into a fresh temporary folder, removed when released.
final class GeneratedSample {
    let url: URL
    let manifest: SampleManifest

    init(_ config: SampleConfiguration) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sluice-sample-tests-\(UUID().uuidString)", isDirectory: true)
        manifest = try SampleGenerator.generate(config, into: url)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var suppliers: [String] { list(url.appendingPathComponent("suppliers")) }

    func files(_ supplier: String) -> [String] { list(url.appendingPathComponent("suppliers/\(supplier)")) }

    /// The file's text, inflated if it is gzip.
    func text(_ supplier: String, _ file: String) throws -> [UInt8] {
        try inflated(Array(Data(contentsOf: url.appendingPathComponent("suppliers/\(supplier)/\(file)"))), gzip: file.hasSuffix(".gz"))
    }

    func mixedManifest() throws -> MixedManifest {
        try JSONDecoder().decode(MixedManifest.self, from: Data(contentsOf: url.appendingPathComponent("mixed.json")))
    }

    private func list(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}

/// `bytes`, through Sluice's own gzip stream when `gzip`.
func inflated(_ bytes: [UInt8], gzip: Bool) throws -> [UInt8] {
    guard gzip else { return bytes }
    let stream = try GzipByteStream(source: MemoryByteStream(bytes))
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
        if count == 0 { return out }
        out += chunk[..<count]
    }
}

/// A file as Sluice's CSV reader reads it: the first line and the records after it.
struct ReadFile {
    var header: [String]
    var records: [[String]]
}

/// Reads `text` (already inflated) with the reader the pipeline uses.
func readCSV(_ text: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), encoding: TextEncoding = .utf8,
             sourceLocation: SourceLocation = #_sourceLocation) throws -> ReadFile {
    var options = ReaderOptions(encoding: encoding)
    options.delimiter = delimiter
    let reader = try CSVReaderFactory().open(bytes: text, gzip: false, options: options)
    var file = ReadFile(header: reader.header, records: [])
    var row = RawRow()
    while true {
        switch try reader.next(into: &row) {
        case .end:
            return file
        case .row:
            file.records.append((0..<row.fieldCount).map { String(decoding: row.fieldBytes[row.fieldRange($0)], as: UTF8.self) })
        case .malformed(let reason):
            Issue.record("malformed record at line \(row.line): \(reason)", sourceLocation: sourceLocation)
        }
    }
}

/// FNV-1a, 64 bits: a checksum the tests can pin without a crypto library.
struct FNV1a {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
    }
}
