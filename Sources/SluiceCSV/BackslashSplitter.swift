/// Splits records whose quotes are escaped with a backslash, which libcsv cannot read.
///
/// Inside quotes `\"` is a quote and `\\` a backslash; outside them `\<delimiter>` is a
/// delimiter and `\\` a backslash. Before any other byte a backslash stays, with that byte,
/// as written (`\n` is two characters). A line end outside quotes always ends the record, even
/// after a backslash, so a stray trailing backslash cannot swallow the next line.
///
/// The reader feeds it one piece of a physical line at a time, as it feeds libcsv, and the
/// state carries over between pieces: a quoted field may run over several lines. Lines,
/// offsets and the record limits stay the reader's; fields go into the same `ParseContext`,
/// whose field limit and `max_field_bytes` apply as for libcsv.
struct BackslashSplitter {
    private enum State {
        /// Nothing of the current field read yet.
        case fieldStart
        case unquoted
        case quoted
        /// Just after a closing quote: only a delimiter or the line end may follow.
        case closed
    }

    let delimiter: UInt8
    let quote: UInt8
    private let backslash = UInt8(ascii: "\\")
    private var state = State.fieldStart
    /// The last byte was a backslash; what it means depends on the next one.
    private var escaping = false
    /// Where the current field's bytes begin in the context.
    private var fieldStart = 0

    init(delimiter: UInt8, quote: UInt8) {
        self.delimiter = delimiter
        self.quote = quote
    }

    var inQuotes: Bool { state == .quoted }
    var afterBackslash: Bool { escaping }

    /// Bytes of the field still being read, to stop buffering a runaway one.
    func fieldLength(in context: ParseContext) -> Int {
        state == .fieldStart ? 0 : context.byteCount - fieldStart
    }

    /// Forgets a record given up on.
    mutating func reset() {
        state = .fieldStart
        escaping = false
    }

    /// Reads one piece of a line. At a line end outside quotes the record ends
    /// (`context.rowEnded`); the pieces end there, so nothing of the next record follows.
    /// - Returns: why the record is malformed, or nil.
    mutating func feed(_ piece: UnsafeRawBufferPointer, into context: inout ParseContext) -> String? {
        guard let base = piece.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var index = 0
        while index < piece.count {
            let byte = base[index]
            index += 1
            if escaping {
                escaping = false
                if byte == backslash || byte == (state == .quoted ? quote : delimiter) {
                    append(byte, to: &context)
                    continue
                }
                append(backslash, to: &context)
                if state == .quoted || !isLineEnd(byte) {
                    append(byte, to: &context)
                    continue
                }
            }
            switch state {
            case .fieldStart:
                fieldStart = context.byteCount
                if byte == quote {
                    state = .quoted
                    continue
                }
                state = .unquoted
                fallthrough
            case .unquoted:
                if byte == delimiter {
                    endField(&context)
                } else if isLineEnd(byte) {
                    endRecord(&context)
                    return nil
                } else if byte == backslash {
                    escaping = true
                } else if byte == quote {
                    return "a quote inside an unquoted field"
                } else {
                    index = appendRun(base, from: index - 1, to: piece.count, into: &context)
                }
            case .quoted:
                if byte == quote {
                    state = .closed
                } else if byte == backslash {
                    escaping = true
                } else {
                    index = appendRun(base, from: index - 1, to: piece.count, into: &context)
                }
            case .closed:
                if byte == delimiter {
                    endField(&context)
                } else if isLineEnd(byte) {
                    endRecord(&context)
                    return nil
                } else {
                    return "text after a closing quote"
                }
            }
        }
        return nil
    }

    /// Ends the last record of a file without a final line end.
    /// - Returns: false when a quoted field is still open.
    mutating func finish(into context: inout ParseContext) -> Bool {
        if state == .quoted { return false }
        if escaping {
            escaping = false
            append(backslash, to: &context)
        }
        if state == .fieldStart { fieldStart = context.byteCount }
        endRecord(&context)
        return true
    }

    private func isLineEnd(_ byte: UInt8) -> Bool { byte == 10 || byte == 13 }

    /// Whether `byte` means something in the current state, rather than being field text.
    private func isSpecial(_ byte: UInt8) -> Bool {
        byte == quote || byte == backslash || (state != .quoted && (byte == delimiter || isLineEnd(byte)))
    }

    /// Appends the field text from `start` up to the next special byte in one copy.
    private func appendRun(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int,
                           into context: inout ParseContext) -> Int {
        var stop = start + 1
        while stop < end && !isSpecial(base[stop]) { stop += 1 }
        context.appendPart(base + start, stop - start)
        return stop
    }

    private func append(_ byte: UInt8, to context: inout ParseContext) {
        withUnsafePointer(to: byte) { context.appendPart($0, 1) }
    }

    private mutating func endField(_ context: inout ParseContext) {
        context.endField(startedAt: fieldStart)
        state = .fieldStart
    }

    private mutating func endRecord(_ context: inout ParseContext) {
        endField(&context)
        context.rowEnded = true
    }
}
