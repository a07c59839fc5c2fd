import CZlib
import Foundation
import SluiceCore

/// Generates the reference workload: suppliers' directories of CSV files, some gzip, some bad rows.
public enum SampleGenerator {
    /// Writes the scenario under `directory/suppliers/` and `directory/manifest.json`, and for the
    /// mixed style `directory/mixed.json`.
    /// - Throws: when a file cannot be written, or the mixed style finds no Europe/Berlin time zone.
    public static func generate(_ config: SampleConfiguration, into directory: URL) throws -> SampleManifest {
        let root = directory.appendingPathComponent("suppliers")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let clock = config.style == .mixed ? try BerlinClock() : nil
        var random = SampleRandom(seed: config.seed)
        var manifest = SampleManifest(seed: config.seed, suppliers: config.suppliers, files: 0, gzipFiles: 0, rows: 0,
                                      invalidRows: 0, validRows: 0, bytes: 0, rowsPerSupplier: [:], invalidRowsPerSupplier: [:])
        var mixedManifest = MixedManifest(seed: config.seed, suppliers: [])
        var nextID = 1
        for s in 0..<config.suppliers {
            let supplier = String(format: "supplier-%02d", s + 1)
            let folder = root.appendingPathComponent(supplier)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            // Suppliers disagree on column order; the pipeline maps headers by name.
            var order = Array(SampleRow.columns.indices)
            if s % 2 == 1 { order.shuffle(using: &random) }
            let style = SupplierStyle.of(supplier: s)
            var mixedSupplier = MixedManifest.Supplier(name: supplier, style: style, profile: style.profile,
                                                       productNameWords: style == .latin1 ? LatinNames.words : nil, files: [])
            for f in 0..<config.filesPerSupplier {
                // The uniform text is always written: its size decides where a file ends, so the
                // mixed style puts the same rows in each file.
                var writer = RowWriter()
                writer.out.reserveCapacity(config.fileSize + 512)
                writer.line(SampleRow.columns, order: order)
                // Only the mixed style has a clock, so only it gets a second writer.
                var mixed = clock.map {
                    MixedRowWriter(layout: FileLayout(style: style, order: order, file: f, files: config.filesPerSupplier),
                                   seed: config.seed, clock: $0)
                }
                mixed?.header()
                var rows = 0, invalid = 0
                while writer.out.count < config.fileSize {
                    let defect = random.chance(config.invalidRatio) ? SampleRow.Defect.allCases[random.below(4)] : nil
                    let values = SampleRow.make(id: nextID, defect: defect, random: &random)
                    writer.line(values, order: order)
                    mixed?.row(values)
                    nextID += 1
                    rows += 1
                    if defect != nil { invalid += 1 }
                }
                let gzip = random.chance(config.gzipRatio)
                let name = String(format: "orders-%05d.csv", f + 1) + (gzip ? ".gz" : "")
                let text = mixed?.writer.out ?? writer.out
                let bytes = gzip ? try gzipCompress(text) : text
                try Data(bytes).write(to: folder.appendingPathComponent(name))
                if let mixed {
                    mixedSupplier.files.append(MixedManifest.File(
                        name: name, drift: mixed.layout.drift,
                        ambiguousLocalTimes: mixed.ambiguousTimes.isEmpty ? nil : mixed.ambiguousTimes))
                }
                manifest.files += 1
                manifest.gzipFiles += gzip ? 1 : 0
                manifest.rows += rows
                manifest.invalidRows += invalid
                manifest.bytes += Int64(bytes.count)
                manifest.rowsPerSupplier[supplier, default: 0] += rows
                manifest.invalidRowsPerSupplier[supplier, default: 0] += invalid
            }
            mixedManifest.suppliers.append(mixedSupplier)
        }
        manifest.validRows = manifest.rows - manifest.invalidRows
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"))
        if config.style == .mixed {
            try encoder.encode(mixedManifest).write(to: directory.appendingPathComponent("mixed.json"))
        }
        return manifest
    }

    /// One gzip member, as `gzip -1` would write it.
    /// - Throws: when zlib cannot compress.
    public static func gzipCompress(_ input: [UInt8], level: Int32 = 1) throws -> [UInt8] {
        // zlib keeps a pointer back to its stream, so the stream must not move between calls.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard deflateInit2_(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { deflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(input.count))) + 64)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = UInt32(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(target.count)
                return deflate(stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw CocoaError(.fileWriteUnknown) }
        output.removeSubrange(Int(stream.pointee.total_out)...)
        return output
    }
}
