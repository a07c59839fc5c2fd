/// What `sluice sample` generates: the reference workload at any scale.
public struct SampleConfiguration: Sendable {
    public var suppliers = 20
    public var filesPerSupplier = 500
    /// Approximate size of each file before compression.
    public var fileSize = 2_000_000
    /// Share of rows with exactly one defect (negative quantity, bad price, bad date, missing sku).
    public var invalidRatio = 0.01
    /// Share of files written gzip-compressed.
    public var gzipRatio = 0.1
    public var seed: UInt64 = 42
    /// How suppliers write the rows; the rows themselves are the same for either style.
    public var style = SampleStyle.uniform

    public init() {}
}

/// Counts the generator wrote, saved as `manifest.json` beside the data.
public struct SampleManifest: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var suppliers: Int
    public var files: Int
    public var gzipFiles: Int
    public var rows: Int
    public var invalidRows: Int
    public var validRows: Int
    public var bytes: Int64
    public var rowsPerSupplier: [String: Int]
    public var invalidRowsPerSupplier: [String: Int]
}
