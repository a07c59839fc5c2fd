import ArgumentParser
import Foundation
import SluiceSample

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the reference workload: supplier folders of CSV files, some gzip, about 1% bad rows.",
        discussion: """
            The same seed always writes the same files. Writes OUT/suppliers/<supplier>/orders-NNNNN.csv[.gz] \
            and OUT/manifest.json with the rows written, valid and invalid. Defaults give the full workload \
            (20 suppliers x 500 files x 2 MB, about 20 GB); use --file-size 20KB for a 200 MB one.

            --style mixed writes the same rows, files and names, but each supplier its own way, \
            by supplier number in this order (supplier-10 starts again): uniform; eu-semicolon \
            (; delimiter, 1.234,50, DD.MM.YYYY, Europe/Berlin wall-clock timestamps); tabbed; \
            positional (no header, schema order); renamed (Order ID, Qty, ...); latin1 (ISO-8859-1, \
            accented product names); extra-column (a channel column); dropped-optional (no notes); \
            header-change (notes headed remarks from the middle file on). OUT/mixed.json lists each \
            supplier's style and each file's drift; Pipelines/supplier-mixed.yaml loads the result.
            """
    )

    @Option(help: "Folder to write into.")
    var out: String

    @Option(help: "Number of suppliers.")
    var suppliers = 20

    @Option(help: "Files per supplier.")
    var filesPerSupplier = 500

    @Option(help: "Approximate size of each file before compression, e.g. 20KB, 2MB.")
    var fileSize = "2MB"

    @Option(help: "Share of rows with one defect (0...1).")
    var invalidRatio = 0.01

    @Option(help: "Share of files written as gzip (0...1).")
    var gzipRatio = 0.1

    @Option(help: "Seed for the deterministic generator.")
    var seed: UInt64 = 42

    @Option(help: "How suppliers write the rows: uniform (one format) or mixed (each its own; see above).")
    var style = SampleStyle.uniform

    func validate() throws {
        guard suppliers > 0, filesPerSupplier > 0 else { throw ValidationError("--suppliers and --files-per-supplier must be positive") }
        guard parseSize(fileSize) != nil else { throw ValidationError("--file-size takes a size such as 20KB or 2MB, not '\(fileSize)'") }
        guard (0...1).contains(invalidRatio), (0...1).contains(gzipRatio) else {
            throw ValidationError("--invalid-ratio and --gzip-ratio are shares between 0 and 1")
        }
    }

    func run() throws {
        var config = SampleConfiguration()
        config.suppliers = suppliers
        config.filesPerSupplier = filesPerSupplier
        config.fileSize = parseSize(fileSize)!
        config.invalidRatio = invalidRatio
        config.gzipRatio = gzipRatio
        config.seed = seed
        config.style = style
        let manifest = try SampleGenerator.generate(config, into: URL(fileURLWithPath: out))
        print("wrote \(manifest.files) files (\(manifest.gzipFiles) gzip, \(manifest.bytes) bytes) from \(manifest.suppliers) suppliers into \(out)")
        print("rows: \(manifest.rows) (\(manifest.validRows) valid, \(manifest.invalidRows) invalid); counts in \(out)/manifest.json")
        if style == .mixed { print("supplier styles and each file's header drift in \(out)/mixed.json") }
    }
}

extension SampleStyle: ExpressibleByArgument {}

/// `20KB`, `2MB`, `1GB` or a plain byte count; units are powers of 1000.
func parseSize(_ text: String) -> Int? {
    let upper = text.uppercased().trimmingCharacters(in: .whitespaces)
    for (suffix, factor) in [("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1)] where upper.hasSuffix(suffix) {
        guard let value = Double(upper.dropLast(suffix.count)), value > 0 else { return nil }
        return Int(value * Double(factor))
    }
    return Int(upper).flatMap { $0 > 0 ? $0 : nil }
}
