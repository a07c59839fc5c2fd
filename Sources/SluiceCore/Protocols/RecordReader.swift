/// What one step of a record reader produced.
public enum ReadResult: Sendable, Equatable {
    /// `row` holds a well-formed record.
    case row
    /// The record could not be parsed; `row.raw`, `line` and `offset` say which, the reason says why.
    case malformed(String)
    /// No more records; `row.next` is the end of the file.
    case end
}

/// Streams records out of one file, remembering where each next record starts.
public protocol RecordReader: AnyObject {
    /// The header names, read when the file was opened.
    var header: [String] { get }
    /// Reads the next record into `row`.
    /// - Throws: `ReadError` when the file itself is unreadable from here on (corrupt gzip, I/O).
    func next(into row: inout RawRow) throws -> ReadResult
    /// Closes the file; also done on deinit.
    func close()
    /// Seconds spent so far fetching (and inflating) bytes, apart from parsing them.
    var readSeconds: Double { get }
    /// Whether the next record may need bytes that have not arrived yet (a download).
    var awaitsInput: Bool { get }
    /// Waits until the next record can be read without blocking the thread on the network.
    /// - Throws: `ReadError` when the download failed.
    func waitForInput() async throws
    /// After the last record: checks that the file read is still the version that was listed.
    /// - Throws: `ReadError(.changed)` when it was appended to, replaced or removed meanwhile.
    func verifyUnchanged() throws
}

extension RecordReader {
    /// A reader that does not time its reads reports none.
    public var readSeconds: Double { 0 }
    /// Local bytes are always at hand.
    public var awaitsInput: Bool { false }
    public func waitForInput() async throws {}
    public func verifyUnchanged() throws {}
}

/// Options every reader honours.
public struct ReaderOptions: Sendable, Equatable {
    public var delimiter: UInt8
    /// A longer field makes its row invalid; the reader's memory stays bounded by it.
    public var maxFieldBytes: Int
    /// A longer record (its bytes before the final line end) makes its row invalid, as a record
    /// with far more fields than the header does; never below `maxFieldBytes`.
    public var maxRecordBytes: Int
    /// A gzip file that inflates past this is rejected (a decompression bomb).
    public var maxInflatedBytes: Int64
    /// A gzip file whose inflated size exceeds this multiple of its compressed size is rejected
    /// (checked from the first MiB inflated, before any of it is handed out, so small files pass).
    public var maxCompressionRatio: Double
    /// How the file's text is encoded; other encodings are converted to UTF-8 as they are read.
    public var encoding: TextEncoding
    /// What a blank line between records is.
    public var blankLines: BlankLinePolicy = .skip
    /// The byte that quotes a field.
    public var quote: UInt8 = UInt8(ascii: "\"")
    /// How a quote is written inside a quoted field.
    public var escape: QuoteEscape = .doubled
    /// Set when files have no header: these are the names of their fields in order, and the
    /// first line is data.
    public var headerNames: [String]?

    public init(delimiter: UInt8 = UInt8(ascii: ","), maxFieldBytes: Int = 1 << 20, maxRecordBytes: Int = 4 << 20,
                maxInflatedBytes: Int64 = 4 << 30, maxCompressionRatio: Double = 200, encoding: TextEncoding = .utf8) {
        self.delimiter = delimiter
        self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes
        self.maxInflatedBytes = maxInflatedBytes
        self.maxCompressionRatio = maxCompressionRatio
        self.encoding = encoding
    }
}

/// What a blank line after the header is (`source.blank_lines`).
public enum BlankLinePolicy: String, Sendable, CaseIterable {
    /// Skipped and counted per file (the default).
    case skip
    /// A record of one empty field, as RFC 4180 reads it: a one-column schema loads it, a wider
    /// one quarantines it as a short row.
    case record
}

/// Text encodings a supplier may declare.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8
    /// ISO-8859-1: every byte is one character.
    case latin1
    /// UTF-16 with a byte-order mark (little-endian without one).
    case utf16
}

/// Opens readers; the CSV module provides the real one.
public protocol RecordReaderFactory: Sendable {
    /// Opens `file`, reads its header, and positions at `resume` (the first row after the header if `.start`).
    /// Async so that sources that fetch over a network can wait without holding a thread.
    /// - Throws: `ReadError`, `.notFound` or `.changed` when the file is not the version that was listed.
    func open(_ file: DiscoveredFile, resume: ResumePoint, options: ReaderOptions) async throws -> any RecordReader
}

/// A file that cannot be read further, with the place it went wrong.
public struct ReadError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case notFound = "not found"
        case permission = "permission denied"
        case io = "I/O error"
        case corruptGzip = "corrupt gzip"
        case truncated = "truncated"
        case malformedHeader = "bad header"
        case encoding = "bad encoding"
        case changed = "changed while read"
        case tooLarge = "too large"
        case empty = "empty file"
        /// An endpoint refused the request (a 4xx such as 401 or 403): not retried within the run.
        case refused = "refused"
        /// The header drifts from the schema under `on_drift: fail`: not loaded, tried again by the next run.
        case drift = "header drift"
    }

    public let kind: Kind
    public let message: String
    public let line: Int?
    public let offset: Int64?
    /// How long the source asked to wait before another attempt (HTTP `Retry-After`).
    public let retryAfter: Duration?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, offset: Int64? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.offset = offset
        self.retryAfter = retryAfter
    }

    /// Worth another attempt in a later run (the file may come back or become readable).
    public var isTransient: Bool {
        kind == .notFound || kind == .permission || kind == .io || kind == .changed || kind == .refused || kind == .drift
    }

    /// Worth another attempt within this run: a vanished or refused file will not come back
    /// soon; the next listing or run decides.
    public var isRetryableNow: Bool { isTransient && kind != .notFound && kind != .refused && kind != .drift }

    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let offset { place.append("byte \(offset)") }
        return place.isEmpty ? "\(kind.rawValue): \(message)" : "\(kind.rawValue) at \(place.joined(separator: ", ")): \(message)"
    }
}
