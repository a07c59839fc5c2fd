import Foundation
@testable import SluiceSample
import Testing

/// The uniform style writes exactly what the generator wrote before styles existed: the
/// checksums were taken from that generator's output for the same options.
@Suite struct UniformStyleTests {
    /// Every file's name and inflated text, in path order (gzip bytes depend on the zlib build).
    static func fingerprint(_ sample: GeneratedSample) throws -> (UInt64, files: Int) {
        var hash = FNV1a()
        var count = 0
        for supplier in sample.suppliers {
            for file in sample.files(supplier) {
                hash.add("suppliers/\(supplier)/\(file)".utf8)
                hash.add([0])
                hash.add(try sample.text(supplier, file))
                hash.add([0])
                count += 1
            }
        }
        return (hash.value, count)
    }

    @Test func uniformFilesAndGzipChoicesAreUnchanged() throws {
        var config = SampleConfiguration.small(.uniform)
        config.fileSize = 3_000
        let sample = try GeneratedSample(config)
        let (hash, files) = try Self.fingerprint(sample)
        #expect(files == 80)
        #expect(hash == 0xB5C5_AE11_5456_7636)
        #expect(sample.manifest.files == 80 && sample.manifest.gzipFiles == 19)
        #expect(sample.manifest.rows == 2591 && sample.manifest.invalidRows == 126)
        #expect(!FileManager.default.fileExists(atPath: sample.url.appendingPathComponent("mixed.json").path))
    }

    @Test func uniformPlainFilesAndManifestAreByteIdentical() throws {
        var config = SampleConfiguration()
        config.suppliers = 9
        config.filesPerSupplier = 3
        config.fileSize = 4_000
        config.invalidRatio = 0.05
        config.gzipRatio = 0
        config.seed = 7
        let sample = try GeneratedSample(config)
        let (hash, files) = try Self.fingerprint(sample)
        #expect(files == 27)
        #expect(hash == 0xB0F7_486F_B82B_CE03)
        var manifest = FNV1a()
        manifest.add(try Data(contentsOf: sample.url.appendingPathComponent("manifest.json")))
        #expect(manifest.value == 0xE93F_7CB4_7048_D138)
    }
}
