import CLibCSV
import SluiceCore

/// What libcsv's callbacks and the whole-line splitter write into: the current record's
/// fields, and whether it ended.
///
/// A plain struct reached through a raw pointer, with its own growable byte and offset
/// buffers: appending there costs a copy and nothing else, and the record moves into the
/// caller's `RawRow` in two appends when it is complete.
struct ParseContext {
    var rowEnded = false
    var maxFieldBytes = 1 << 20
    /// 1-based index of the first field over `maxFieldBytes`, if any.
    var oversizedField: Int?
    /// Fields a record may have; past it the rest are counted out, not stored, so a line of
    /// commas costs no memory per field.
    var fieldLimit = Int.max
    /// Whether the current record has more than `fieldLimit` fields.
    var tooManyFields = false
    var bytes: UnsafeMutablePointer<UInt8>
    var byteCapacity: Int
    var byteCount = 0
    var ends: UnsafeMutablePointer<Int>
    var endCapacity: Int
    var fieldCount = 0

    init(maxFieldBytes: Int) {
        self.maxFieldBytes = maxFieldBytes
        byteCapacity = 4096
        bytes = .allocate(capacity: byteCapacity)
        endCapacity = 64
        ends = .allocate(capacity: endCapacity)
    }

    mutating func free() {
        bytes.deallocate()
        ends.deallocate()
    }

    mutating func appendField(_ data: UnsafeRawPointer?, _ length: Int) {
        if fieldCount == fieldLimit {
            tooManyFields = true
            return
        }
        if length > maxFieldBytes {
            if oversizedField == nil { oversizedField = fieldCount + 1 }
        } else if length > 0, let data {
            appendPart(data, length)
        }
        endField()
    }

    /// Appends bytes to the field being built; `endField(startedAt:)` closes it. Quoted text
    /// around a doubled quote arrives in parts.
    mutating func appendPart(_ data: UnsafeRawPointer, _ length: Int) {
        if byteCount + length > byteCapacity {
            let capacity = max(byteCapacity * 2, byteCount + length)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: bytes, count: byteCount)
            bytes.deallocate()
            bytes = grown
            byteCapacity = capacity
        }
        (bytes + byteCount).update(from: data.assumingMemoryBound(to: UInt8.self), count: length)
        byteCount += length
    }

    /// Closes a field built from parts that began at byte `start`, with the field size limit applied.
    mutating func endField(startedAt start: Int) {
        if fieldCount == fieldLimit {
            tooManyFields = true
            byteCount = start
            return
        }
        if byteCount - start > maxFieldBytes {
            if oversizedField == nil { oversizedField = fieldCount + 1 }
            byteCount = start
        }
        endField()
    }

    private mutating func endField() {
        if fieldCount == endCapacity {
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: endCapacity * 2)
            grown.update(from: ends, count: fieldCount)
            ends.deallocate()
            ends = grown
            endCapacity *= 2
        }
        ends[fieldCount] = byteCount
        fieldCount += 1
    }

    /// Moves the fields gathered so far into `row` and starts empty.
    mutating func flush(into row: inout RawRow) {
        row.fieldBytes.append(contentsOf: UnsafeBufferPointer(start: bytes, count: byteCount))
        row.fieldEnds.append(contentsOf: UnsafeBufferPointer(start: ends, count: fieldCount))
        byteCount = 0
        fieldCount = 0
    }

    /// Forgets the record gathered so far, including a field found too long in it.
    mutating func discard() {
        byteCount = 0
        fieldCount = 0
        oversizedField = nil
        tooManyFields = false
    }
}

let fieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { data, length, context in
    context!.assumingMemoryBound(to: ParseContext.self).pointee.appendField(data, length)
}

let rowCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    context!.assumingMemoryBound(to: ParseContext.self).pointee.rowEnded = true
}
