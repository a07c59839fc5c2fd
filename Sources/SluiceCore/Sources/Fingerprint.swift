import Foundation

/// A content fingerprint: a 64-bit hash of the size, the first 64 KiB and the last 64 KiB.
///
/// Whole files up to 128 KiB are hashed completely. Larger files are sampled at both ends,
/// which sees past a header that suppliers share and catches appends and truncations,
/// without reading gigabytes twice.
public enum Fingerprint {
    public static let sampleBytes = 64 * 1024

    /// - Throws: `ReadError` when the file cannot be opened or read.
    public static func of(_ url: URL, size: Int64) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ReadError(exists ? .permission : .notFound, "cannot open \(url.path)")
        }
        defer { try? handle.close() }
        var hasher = WordHasher(seed: UInt64(bitPattern: size))
        do {
            let head = try handle.read(upToCount: sampleBytes) ?? Data()
            hasher.add(head)
            if size > Int64(2 * sampleBytes) {
                try handle.seek(toOffset: UInt64(size) - UInt64(sampleBytes))
                hasher.add(try handle.read(upToCount: sampleBytes) ?? Data())
            } else if size > Int64(sampleBytes) {
                hasher.add(try handle.readToEnd() ?? Data())
            }
        } catch {
            throw ReadError(.io, "cannot read \(url.path): \(error.localizedDescription)")
        }
        return String(hasher.finish(), radix: 16)
    }
}

/// A small, fast non-cryptographic hash over 8-byte words (multiply-xorshift mixing).
struct WordHasher {
    private var state: UInt64

    init(seed: UInt64) { state = seed ^ 0x9E37_79B9_7F4A_7C15 }

    mutating func add(_ data: Data) {
        data.withUnsafeBytes { raw in
            var index = 0
            while index + 8 <= raw.count {
                mix(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                index += 8
            }
            var tail: UInt64 = 0
            while index < raw.count { tail = tail << 8 | UInt64(raw[index]); index += 1 }
            mix(tail ^ UInt64(raw.count))
        }
    }

    private mutating func mix(_ word: UInt64) {
        state = (state ^ word) &* 0xFF51_AFD7_ED55_8CCD
        state ^= state >> 33
    }

    func finish() -> UInt64 {
        var h = state &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        return h
    }
}
