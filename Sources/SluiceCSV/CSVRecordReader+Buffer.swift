import Foundation
import SluiceCore

/// The reader's buffer: filling it, finding line ends, and skipping what is not parsed.
extension CSVRecordReader {
    /// Raw text of a row that outgrew the buffer; a row still in the buffer needs nothing.
    @inline(__always)
    func keepRaw(_ bytes: UnsafeRawBufferPointer) {
        guard rowStart == nil else { return }
        let room = maxRawBytes - spilledRaw.count
        guard room > 0 else { return }
        spilledRaw.append(contentsOf: bytes.prefix(room))
    }

    /// Scans to the end of the current record without parsing it, honouring quotes: inside
    /// quotes a doubled quote is a quote and a lone one closes them; outside, a line end ends
    /// the record. With backslash escapes a lone quote closes them, and a backslash hides the
    /// meaning of the byte after it, except a line end's.
    func skipRecord(inQuotes: Bool, afterBackslash: Bool = false) throws {
        let backslashes = backslashSplitter != nil
        var quoted = inQuotes
        var escaped = afterBackslash
        var pendingQuote = false
        while true {
            if chunkStart == chunkEnd { try fill() }
            if chunkStart == chunkEnd { return }
            let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var index = chunkStart
            while index < chunkEnd {
                let byte = base[index]
                index += 1
                if escaped {
                    escaped = false
                    if byte != 10 && byte != 13 { continue }
                } else if backslashes && byte == 92 {
                    escaped = true
                    continue
                }
                if pendingQuote {
                    pendingQuote = false
                    if byte == quote { continue }
                    quoted = false
                }
                if quoted {
                    if byte == quote {
                        if backslashes { quoted = false } else { pendingQuote = true }
                    } else if byte == 10 || (byte == 13 && (index == chunkEnd || base[index] != 10)) { line += 1 }
                    continue
                }
                if byte == quote { quoted = true; continue }
                if byte == 10 || byte == 13 {
                    if byte == 13, index < chunkEnd, base[index] == 10 { index += 1 }
                    line += 1
                    keepRaw(UnsafeRawBufferPointer(rebasing: chunk[chunkStart..<index]))
                    chunkStart = index
                    return
                }
            }
            keepRaw(UnsafeRawBufferPointer(rebasing: chunk[chunkStart..<chunkEnd]))
            chunkStart = chunkEnd
        }
    }

    /// The end of the next piece to feed: just past the next LF, or past a CR not followed by LF.
    func nextPieceEnd() throws -> (Int, Bool) {
        while true {
            let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let available = chunkEnd - chunkStart
            let lf = memchr(base + chunkStart, 10, available).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
            let limit = lf ?? chunkEnd
            if let cr = memchr(base + chunkStart, 13, limit - chunkStart).map({ UnsafeRawPointer($0) - UnsafeRawPointer(base) }),
               cr + 1 < limit {
                return (cr + 1, true)
            }
            if let lf { return (lf + 1, true) }
            // No line end in the buffer: pull more in unless the stream is done or the buffer is full.
            let endsWithCR = chunkEnd > chunkStart && base[chunkEnd - 1] == 13
            if streamEnded { return (chunkEnd, endsWithCR) }
            if chunkStart == 0 && chunkEnd == chunk.count {
                // A full buffer of one long line: feed it, but keep a final CR back until the
                // next byte shows whether it is a CRLF or a line end of its own.
                return endsWithCR && chunkEnd > 1 ? (chunkEnd - 1, false) : (chunkEnd, false)
            }
            try fill()
        }
    }

    func skipRestOfLine() throws {
        while true {
            if chunkStart == chunkEnd { try fill() }
            if chunkStart == chunkEnd { return }
            let (end, endsLine) = try nextPieceEnd()
            keepRaw(UnsafeRawBufferPointer(rebasing: chunk[chunkStart..<end]))
            chunkStart = end
            if endsLine {
                line += 1
                return
            }
        }
    }

    /// A piece's length without the line end it may finish with.
    func contentLength(_ piece: UnsafeRawBufferPointer, _ endsLine: Bool) -> Int {
        guard endsLine, let last = piece.last else { return piece.count }
        return last == 10 && piece.count > 1 && piece[piece.count - 2] == 13 ? piece.count - 2 : piece.count - 1
    }

    func isOnlyNewline(_ piece: UnsafeRawBufferPointer) -> Bool {
        piece.allSatisfy { $0 == 10 || $0 == 13 }
    }

    /// Moves unread bytes (and the current row's, while they fit) to the front of the buffer
    /// and reads more after them.
    func fill() throws {
        guard !streamEnded else { return }
        if let start = rowStart, start == 0, chunkEnd == chunk.count {
            // The row fills the whole buffer: its raw text continues in `spilledRaw`.
            spilledRaw.removeAll(keepingCapacity: true)
            spilledRaw.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<min(chunkStart, maxRawBytes)]))
            rowStart = nil
        }
        let keepFrom = rowStart ?? chunkStart
        let remaining = chunkEnd - keepFrom
        if keepFrom > 0 {
            if remaining > 0 { chunk.baseAddress!.copyMemory(from: chunk.baseAddress! + keepFrom, byteCount: remaining) }
            chunkBase += Int64(keepFrom)
            chunkStart -= keepFrom
            rowStart = rowStart.map { $0 - keepFrom }
            chunkEnd = remaining
        }
        guard chunkEnd < chunk.count else { return }
        let began = ContinuousClock.now
        let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[chunkEnd...]))
        readSeconds += (ContinuousClock.now - began).inSeconds
        if count == 0 { streamEnded = true }
        chunkEnd += count
    }
}
