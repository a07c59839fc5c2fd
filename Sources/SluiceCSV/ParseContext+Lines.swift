import Glibc

/// Whole lines split into fields without libcsv's per-byte state machine, giving exactly the
/// fields libcsv would (a test compares the two on random files).
extension ParseContext {
    /// A line with no quote: its fields lie between delimiters.
    mutating func splitPlainLine(_ line: UnsafeRawBufferPointer, delimiter: UInt8) {
        let base = line.baseAddress!
        let end = Self.contentEnd(line)
        var start = 0
        while let found = memchr(base + start, Int32(delimiter), end - start) {
            let stop = UnsafeRawPointer(found) - base
            appendField(base + start, stop - start)
            start = stop + 1
        }
        appendField(base + start, end - start)
    }

    /// A line whose quoted fields each close on it, followed by a delimiter or the line end,
    /// a doubled quote inside quotes read as one. Anything else (a field running onto the next
    /// line, a quote inside an unquoted field, text after a closing quote) is left to libcsv,
    /// with nothing taken: returns false.
    mutating func splitQuotedLine(_ line: UnsafeRawBufferPointer, delimiter: UInt8, quote: UInt8) -> Bool {
        let base = line.baseAddress!
        let end = Self.contentEnd(line)
        var start = 0
        while true {
            var stop: Int
            if start < end && line[start] == quote {
                let fieldStart = byteCount
                var cursor = start + 1
                while true {
                    guard let found = memchr(base + cursor, Int32(quote), end - cursor) else {
                        discard()
                        return false
                    }
                    let closing = UnsafeRawPointer(found) - base
                    appendPart(base + cursor, closing - cursor)
                    guard closing + 1 < end, line[closing + 1] == quote else { stop = closing + 1; break }
                    appendPart(base + closing, 1)
                    cursor = closing + 2
                }
                endField(startedAt: fieldStart)
                guard stop == end || line[stop] == delimiter else {
                    discard()
                    return false
                }
            } else {
                stop = memchr(base + start, Int32(delimiter), end - start).map { UnsafeRawPointer($0) - base } ?? end
                guard memchr(base + start, Int32(quote), stop - start) == nil else {
                    discard()
                    return false
                }
                appendField(base + start, stop - start)
            }
            if stop == end { return true }
            start = stop + 1
        }
    }

    /// Where a whole line's fields end: before its LF, CRLF or CR.
    private static func contentEnd(_ line: UnsafeRawBufferPointer) -> Int {
        var end = line.count
        if end > 0, line[end - 1] == 10 { end -= 1 }
        if end > 0, line[end - 1] == 13 { end -= 1 }
        return end
    }
}
