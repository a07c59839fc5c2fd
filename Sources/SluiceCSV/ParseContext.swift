import CLibCSV
import SluiceCore

/// What libcsv's callbacks write into: the row being filled and whether it ended.
///
/// A plain struct reached through a raw pointer: the cheapest context for C callbacks.
struct ParseContext {
    var row: UnsafeMutablePointer<RawRow>?
    var rowEnded = false
    var maxFieldBytes = 1 << 20
    /// 1-based index of the first field over `maxFieldBytes`, if any.
    var oversizedField: Int?
}

let fieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = { data, length, context in
    let context = context!.assumingMemoryBound(to: ParseContext.self)
    let row = context.pointee.row!
    if length > context.pointee.maxFieldBytes {
        if context.pointee.oversizedField == nil { context.pointee.oversizedField = row.pointee.fieldEnds.count + 1 }
    } else if length > 0, let data {
        row.pointee.fieldBytes.append(contentsOf: UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: length))
    }
    row.pointee.fieldEnds.append(row.pointee.fieldBytes.count)
}

let rowCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, context in
    context!.assumingMemoryBound(to: ParseContext.self).pointee.rowEnded = true
}
