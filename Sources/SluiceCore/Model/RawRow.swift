/// One parsed CSV record as bytes, reused from row to row to avoid allocation.
///
/// Fields are stored back to back in `fieldBytes`; `fieldEnds[i]` is where field `i` ends.
public struct RawRow: Sendable {
    public var fieldBytes: [UInt8] = []
    public var fieldEnds: [Int] = []
    /// The row's raw text as it appeared in the (inflated) file, for the quarantine.
    public var raw: [UInt8] = []
    /// 1-based physical line where the row starts.
    public var line: Int = 0
    /// Byte offset of the row's first byte in the inflated stream.
    public var offset: Int64 = 0
    /// Where reading resumes after this row.
    public var next = ResumePoint.start

    public init() {
        fieldBytes.reserveCapacity(4096)
        fieldEnds.reserveCapacity(64)
        raw.reserveCapacity(4096)
    }

    public var fieldCount: Int { fieldEnds.count }

    /// A copy of the raw text in a buffer of its own size: `raw` keeps a large reserved
    /// capacity for reuse, which a kept copy must not hold on to.
    public var exactRaw: [UInt8] { raw.withUnsafeBufferPointer { Array($0) } }

    public func fieldRange(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]
    }

    /// Clears the fields and raw text, keeping capacity.
    public mutating func clear() {
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
    }
}

/// A position in a file from which reading can resume: the start of a row.
public struct ResumePoint: Sendable, Equatable {
    /// Byte offset in the inflated stream.
    public var offset: Int64
    /// 1-based physical line of the next row.
    public var line: Int
    /// Data rows already read before this point.
    public var rowsBefore: Int

    public static let start = ResumePoint(offset: 0, line: 1, rowsBefore: 0)

    public init(offset: Int64, line: Int, rowsBefore: Int) {
        self.offset = offset
        self.line = line
        self.rowsBefore = rowsBefore
    }
}
