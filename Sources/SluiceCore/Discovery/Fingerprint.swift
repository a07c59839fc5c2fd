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
        try of(path: url.path, size: size)
    }

    static func of(path: String, size: Int64) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            throw ReadError(code == ENOENT ? .notFound : code == EACCES ? .permission : .io,
                            "cannot open \(path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        return try of(descriptor: descriptor, size: size, name: path)
    }

    /// Reads with plain `pread` into one buffer per call: listing hashes thousands of files.
    /// The descriptor is the one the file was checked through, so the hash is of that file.
    static func of(descriptor: Int32, size: Int64, name path: String) throws -> String {
        var hasher = WordHasher(seed: UInt64(bitPattern: size))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: sampleBytes, alignment: 8)
        defer { buffer.deallocate() }
        func sample(at offset: Int64, upTo count: Int) throws {
            var filled = 0
            while filled < count {
                let read = pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                if read == 0 { break }
                guard read > 0 else {
                    if errno == EINTR { continue }
                    throw ReadError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
                }
                filled += read
            }
            hasher.add(UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
        }
        try sample(at: 0, upTo: sampleBytes)
        if size > Int64(2 * sampleBytes) {
            try sample(at: size - Int64(sampleBytes), upTo: sampleBytes)
        } else if size > Int64(sampleBytes) {
            try sample(at: Int64(sampleBytes), upTo: Int(size) - sampleBytes)
        }
        return String(hasher.finish(), radix: 16)
    }
}

/// A small, fast non-cryptographic hash over 8-byte words (multiply-xorshift mixing).
struct WordHasher {
    private var state: UInt64

    init(seed: UInt64) { state = seed ^ 0x9E37_79B9_7F4A_7C15 }

    mutating func add(_ raw: UnsafeRawBufferPointer) {
        var index = 0
        while index + 8 <= raw.count {
            mix(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        var tail: UInt64 = 0
        while index < raw.count { tail = tail << 8 | UInt64(raw[index]); index += 1 }
        mix(tail ^ UInt64(raw.count))
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
