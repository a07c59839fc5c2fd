import Foundation
import CLibCSV
import SluiceCore

/// Streams RFC 4180 records out of a byte stream, tracking line and byte offset.
///
/// The reader works one physical line at a time, so after every record it knows exactly
/// where the next one starts: the offset a checkpoint needs to resume. A whole line whose
/// quoted fields all close on it is split directly; every other line goes to libcsv, or,
/// when quotes are escaped with a backslash, to `BackslashSplitter`.
final class CSVRecordReader: RecordReader {
    // The buffer's state is internal, not private: `CSVRecordReader+Buffer.swift` fills and scans it.
    let stream: any ByteStream
    /// The download underneath, when the bytes come over a network.
    private let arriving: (any ArrivingBytes)?
    let chunk: UnsafeMutableRawBufferPointer
    var chunkStart = 0
    var chunkEnd = 0
    /// Stream offset of `chunk[0]`.
    var chunkBase: Int64 = 0
    var streamEnded = false
    private let parser: UnsafeMutablePointer<csv_parser>
    private let context: UnsafeMutablePointer<ParseContext>
    private let delimiter: UInt8
    let quote: UInt8
    /// Reads every line when quotes are escaped with a backslash; nil for doubled quotes (libcsv).
    var backslashSplitter: BackslashSplitter?
    /// Names given in the options for a file without a header.
    private let givenHeader: [String]?
    var line = 1
    private var rowsRead = 0
    /// Blank lines skipped so far (`blank_lines: skip`), from the start of the file.
    private var blankLinesSkipped = 0
    /// Whether a blank line after the header is a record of one empty field (`blank_lines: record`).
    private var blankLinesAreRecords = false
    private let blankLinePolicy: BlankLinePolicy
    private var closed = false
    /// Line where the quoted field still open at the end of input began.
    private var openQuoteLine = 0
    private let maxFieldBytes: Int
    /// A record's bytes before its final line end, counted per piece fed: never below `maxFieldBytes`.
    private let maxRecordBytes: Int
    /// Raw text kept per row for the quarantine: up to `max_field_bytes`; a longer row keeps its start.
    let maxRawBytes: Int
    /// Where the current row starts in `chunk` while its raw text is still there; nil once it
    /// outgrew the buffer and moved to `spilledRaw`.
    var rowStart: Int?
    var spilledRaw: [UInt8] = []
    /// Whole lines are split here where they can be, instead of by libcsv (off only to compare
    /// the two in tests, and for backslash escapes, which only `BackslashSplitter` reads).
    var splitsWholeLines: Bool
    /// Checks, after the last record, that the file is still the version that was opened.
    var unchanged: (() throws -> Void)?
    private(set) var header: [String] = []
    /// Time spent in the byte stream's reads (and inflating), timed once per chunk.
    var readSeconds = 0.0

    /// Opens the stream, strips a UTF-8 BOM, reads the header and moves to `resume`.
    /// - Throws: `ReadError`.
    init(stream: any ByteStream, resume: ResumePoint, options: ReaderOptions, chunkSize: Int = 256 * 1024) throws {
        try Self.checkDialect(options)
        self.stream = stream
        arriving = stream.arriving
        delimiter = options.delimiter
        quote = options.quote
        if options.escape == .backslash {
            backslashSplitter = BackslashSplitter(delimiter: options.delimiter, quote: options.quote)
        }
        splitsWholeLines = options.escape == .doubled
        givenHeader = options.headerNames
        maxFieldBytes = options.maxFieldBytes
        maxRecordBytes = max(options.maxRecordBytes, options.maxFieldBytes)
        maxRawBytes = max(options.maxFieldBytes, 64 * 1024)
        blankLinePolicy = options.blankLines
        chunk = .allocate(byteCount: chunkSize, alignment: 16)
        parser = .allocate(capacity: 1)
        context = .allocate(capacity: 1)
        context.initialize(to: ParseContext(maxFieldBytes: options.maxFieldBytes))
        context.pointee.fieldLimit = Self.maxHeaderFields
        resetParser(initial: true)
        try readHeader()
        if resume.offset > 0 { try move(to: resume) }
    }

    deinit {
        close()
        csv_free(parser)
        parser.deallocate()
        context.pointee.free()
        context.deinitialize(count: 1)
        context.deallocate()
        chunk.deallocate()
    }

    func verifyUnchanged() throws { try unchanged?() }

    /// Bytes still on their way from a download's stream are awaited before the chunk runs dry.
    var awaitsInput: Bool { arriving != nil && !streamEnded && chunkEnd - chunkStart < Self.readAhead }

    func waitForInput() async throws { await arriving?.waitForBytes(Self.readAhead) }

    /// How many bytes at hand make a read of the next record very unlikely to block.
    static let readAhead = 64 * 1024

    /// The widest header read: a spreadsheet's column limit.
    static let maxHeaderFields = 16_384
    /// Fields a record may have beyond the header's before the rest are not stored: a few
    /// stray delimiters still get the exact count in "expected 5 fields, found 7".
    static let extraFields = 64

    func close() {
        guard !closed else { return }
        closed = true
        stream.close()
    }

    /// The definition reader refuses these already; a reader built otherwise must not guess.
    private static func checkDialect(_ options: ReaderOptions) throws {
        if options.delimiter == options.quote {
            throw ReadError(.malformedHeader, "the delimiter and the quote are the same byte")
        }
        if options.escape == .backslash && (options.delimiter == UInt8(ascii: "\\") || options.quote == UInt8(ascii: "\\")) {
            throw ReadError(.malformedHeader, "with backslash escapes, neither the delimiter nor the quote may be a backslash")
        }
    }

    private var position: Int64 { chunkBase + Int64(chunkStart) }

    /// Whether the record being read is inside a quoted field.
    private var inQuotes: Bool { backslashSplitter?.inQuotes ?? (parser.pointee.quoted != 0) }

    private func resetParser(initial: Bool = false) {
        backslashSplitter?.reset()
        if !initial { csv_free(parser) }
        csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(parser, delimiter)
        csv_set_quote(parser, quote)
        // libcsv trims spaces and tabs around unquoted fields by default; Sluice keeps fields verbatim.
        csv_set_space_func(parser, sluice_csv_no_space)
    }

    private func readHeader() throws {
        try fill()
        if chunkEnd == 0 { throw ReadError(.empty, "the file is empty", line: 1, offset: 0) }
        if chunkEnd >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { chunkStart = 3 }
        let firstLine = UnsafeRawBufferPointer(rebasing: chunk[0..<chunkEnd]).prefix { $0 != 10 }
        if chunkEnd >= 2, (chunk[0] == 0xFF && chunk[1] == 0xFE) || (chunk[0] == 0xFE && chunk[1] == 0xFF)
            || firstLine.contains(0) {
            throw ReadError(.encoding, "the file looks like UTF-16 (a UTF-16 byte-order mark or NUL bytes in the header); declare encoding: utf16 if the supplier sends UTF-16", line: 1, offset: 0)
        }
        if let givenHeader {
            // No header line: the first line is data row 1, and blank lines follow the policy from the start.
            header = givenHeader
            context.pointee.fieldLimit = header.count + Self.extraFields
            blankLinesAreRecords = blankLinePolicy == .record
            return
        }
        var row = RawRow()
        switch try next(into: &row) {
        case .end:
            throw ReadError(.malformedHeader, "the file is empty: no header", line: 1, offset: 0)
        case .malformed(let reason):
            throw ReadError(.malformedHeader, "header: \(reason)", line: 1, offset: 0)
        case .row:
            header = try (0..<row.fieldCount).map { index in
                let bytes = row.fieldBytes[row.fieldRange(index)]
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    throw ReadError(.encoding, "header field \(index + 1) is not valid UTF-8; declare encoding: latin1 if the supplier sends Latin-1", line: 1, offset: 0)
                }
                return Self.trimmed(name)
            }
        }
        context.pointee.fieldLimit = header.count + Self.extraFields
        rowsRead = 0
        // Blank lines before the header are skipped in either mode: a header cannot be blank.
        blankLinesAreRecords = blankLinePolicy == .record
    }

    /// The name without surrounding white space; most names have none, and are kept as they are
    /// without going through Foundation.
    private static func trimmed(_ name: String) -> String {
        guard let first = name.utf8.first, let last = name.utf8.last else { return name }
        let plain = { (byte: UInt8) in byte > 32 && byte < 0x80 }
        return plain(first) && plain(last) ? name : name.trimmingCharacters(in: .whitespaces)
    }

    /// Jumps to a checkpointed row start: within the buffer, by seeking, or by inflating forward.
    private func move(to resume: ResumePoint) throws {
        if resume.offset >= chunkBase && resume.offset <= chunkBase + Int64(chunkEnd) {
            chunkStart = Int(resume.offset - chunkBase)
        } else {
            try stream.skip(to: resume.offset)
            chunkBase = resume.offset
            chunkStart = 0
            chunkEnd = 0
        }
        line = resume.line
        rowsRead = resume.rowsBefore
        blankLinesSkipped = resume.blankLinesBefore
    }

    func next(into row: inout RawRow) throws -> ReadResult {
        row.clear()
        row.line = line
        row.offset = position
        return try withUnsafeMutablePointer(to: &row) { try readRecord($0) }
    }

    private func readRecord(_ row: UnsafeMutablePointer<RawRow>) throws -> ReadResult {
        context.pointee.rowEnded = false
        context.pointee.discard()
        rowStart = chunkStart
        spilledRaw.removeAll(keepingCapacity: true)
        // Whatever the outcome, the fields and raw text read so far belong to this row.
        defer {
            context.pointee.flush(into: &row.pointee)
            if let rowStart {
                let end = min(chunkStart, rowStart + maxRawBytes)
                row.pointee.setRaw(inBuffer: UnsafeRawBufferPointer(rebasing: chunk[rowStart..<end]))
            } else {
                row.pointee.swapOwnedRaw(with: &spilledRaw)
            }
        }
        var fedInRow = 0
        while true {
            if chunkStart == chunkEnd { try fill() }
            if chunkStart == chunkEnd {
                return finishAtEnd(row, fedInRow: fedInRow)
            }
            let (pieceEnd, endsLine) = try nextPieceEnd()
            let piece = UnsafeRawBufferPointer(rebasing: chunk[chunkStart..<pieceEnd])
            if fedInRow + piece.count > maxRecordBytes, fedInRow + contentLength(piece, endsLine) > maxRecordBytes {
                // Too long before this piece is parsed: skip the rest of the record from here on our own.
                let (quoted, escaped) = (inQuotes, backslashSplitter?.afterBackslash ?? false)
                resetParser()
                try skipRecord(inQuotes: quoted, afterBackslash: escaped)
                return malformed(row, "the record is longer than max_record_bytes (\(maxRecordBytes))")
            }
            if fedInRow == 0 && endsLine && isOnlyNewline(piece) {
                if blankLinesAreRecords {
                    context.pointee.appendField(nil, 0)
                    chunkStart = pieceEnd
                    line += 1
                    return completed(row)
                }
                // A blank line between records: skip and count it, keeping offsets and line numbers right.
                chunkStart = pieceEnd
                rowStart = chunkStart
                line += 1
                blankLinesSkipped += 1
                row.pointee.line = line
                row.pointee.offset = position
                continue
            }
            if fedInRow == 0 && endsLine && splitsWholeLines && splitDirectly(piece) {
                keepRaw(piece)
                chunkStart = pieceEnd
                line += 1
                return completed(row)
            }
            let wasQuoted = inQuotes
            let fieldsBefore = context.pointee.fieldCount
            let failure = parse(piece)
            // A quoted field left open after this line began on it if it is new: the parser was
            // outside quotes before, or a field ended during this line.
            if inQuotes && (!wasQuoted || context.pointee.fieldCount != fieldsBefore) {
                openQuoteLine = line
            }
            keepRaw(piece)
            fedInRow += piece.count
            chunkStart = pieceEnd
            if endsLine { line += 1 }
            if let failure {
                resetParser()
                if !endsLine { try skipRestOfLine() }
                return malformed(row, failure)
            }
            if context.pointee.rowEnded { return completed(row) }
            let (quoted, escaped) = (inQuotes, backslashSplitter?.afterBackslash ?? false)
            if context.pointee.tooManyFields {
                resetParser()
                try skipRecord(inQuotes: quoted, afterBackslash: escaped)
                return malformed(row, tooManyFieldsReason)
            }
            if fieldLength > maxFieldBytes {
                // Stop buffering a runaway field: skip to the end of its record on our own.
                let field = context.pointee.fieldCount + 1
                resetParser()
                try skipRecord(inQuotes: quoted, afterBackslash: escaped)
                return malformed(row, "field \(field) is longer than max_field_bytes (\(maxFieldBytes))")
            }
        }
    }

    /// Splits a whole line without libcsv when it can: it has no quote, or its quoted fields
    /// all close on it. Otherwise nothing is taken and libcsv parses the line.
    private func splitDirectly(_ line: UnsafeRawBufferPointer) -> Bool {
        guard memchr(line.baseAddress!, Int32(quote), line.count) != nil else {
            context.pointee.splitPlainLine(line, delimiter: delimiter)
            return true
        }
        return context.pointee.splitQuotedLine(line, delimiter: delimiter, quote: quote)
    }

    /// Feeds a piece of a line to libcsv or the backslash splitter.
    /// - Returns: why the record is malformed, or nil.
    private func parse(_ piece: UnsafeRawBufferPointer) -> String? {
        if backslashSplitter != nil { return backslashSplitter!.feed(piece, into: &context.pointee) }
        let consumed = csv_parse(parser, piece.baseAddress, piece.count, fieldCallback, rowCallback, context)
        guard consumed < piece.count else { return nil }
        return csv_error(parser) == CSV_EPARSE
            ? "a quote inside an unquoted field, or text after a closing quote"
            : "libcsv error \(csv_error(parser))"
    }

    /// Bytes of the field still being read.
    private var fieldLength: Int {
        backslashSplitter?.fieldLength(in: context.pointee) ?? parser.pointee.entry_pos
    }

    /// Where reading resumes from here, with the counts so far.
    private var here: ResumePoint {
        ResumePoint(offset: position, line: line, rowsBefore: rowsRead, blankLinesBefore: blankLinesSkipped)
    }

    private func completed(_ row: UnsafeMutablePointer<RawRow>) -> ReadResult {
        rowsRead += 1
        row.pointee.next = here
        if context.pointee.tooManyFields { return .malformed(tooManyFieldsReason) }
        if let field = context.pointee.oversizedField {
            return .malformed("field \(field) is longer than max_field_bytes (\(context.pointee.maxFieldBytes))")
        }
        return .row
    }

    private var tooManyFieldsReason: String {
        let limit = context.pointee.fieldLimit
        if givenHeader != nil { return "more than \(limit) fields (\(header.count) columns are named)" }
        return header.isEmpty ? "more than \(limit) fields (a header may have at most \(limit) columns)"
                              : "more than \(limit) fields (the header has \(header.count))"
    }

    private func malformed(_ row: UnsafeMutablePointer<RawRow>, _ reason: String) -> ReadResult {
        rowsRead += 1
        row.pointee.next = here
        return .malformed(reason)
    }

    /// At the end `row.next` is the end of the file, so blank lines after the last record are counted too.
    private func finishAtEnd(_ row: UnsafeMutablePointer<RawRow>, fedInRow: Int) -> ReadResult {
        guard fedInRow > 0 else {
            row.pointee.next = here
            return .end
        }
        // The last record has no line end: let libcsv (or the backslash splitter) finish it.
        let finished = backslashSplitter != nil
            ? backslashSplitter!.finish(into: &context.pointee)
            : csv_fini(parser, fieldCallback, rowCallback, context) == 0
        resetParser()
        if !finished {
            return malformed(row, "unterminated quoted field: the quote opened on line \(openQuoteLine) never closes before the end of the file")
        }
        if context.pointee.rowEnded { return completed(row) }
        row.pointee.next = here
        return .end
    }

}
