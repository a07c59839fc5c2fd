/// One parsed CSV record as bytes, reused from row to row to avoid allocation.
///
/// Fields are stored back to back in `fieldBytes`; `fieldEnds[i]` is where field `i` ends.
/// The raw text usually stays in the reader's buffer and is only copied when a row is kept
/// for the quarantine, so it is valid until the reader reads the next row.
public struct RawRow: @unchecked Sendable {
    public var fieldBytes: [UInt8] = []
    public var fieldEnds: [Int] = []
    /// The raw text when the reader could not leave it in its buffer (a row longer than the buffer).
    private var ownedRaw: [UInt8] = []
    /// The raw text in the reader's buffer.
    private var rawInBuffer: UnsafeRawBufferPointer?
    /// 1-based physical line where the row starts.
    public var line: Int = 0
    /// Byte offset of the row's first byte in the inflated stream.
    public var offset: Int64 = 0
    /// Where reading resumes after this row.
    public var next = ResumePoint.start

    public init() {
        fieldBytes.reserveCapacity(4096)
        fieldEnds.reserveCapacity(64)
    }

    public var fieldCount: Int { fieldEnds.count }

    /// A copy of the row's raw text as it appeared in the (inflated) file, for the quarantine.
    public var raw: [UInt8] {
        get { withRaw { Array($0) } }
        set { ownedRaw = newValue; rawInBuffer = nil }
    }

    public func withRaw<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let rawInBuffer { return try body(rawInBuffer.assumingMemoryBound(to: UInt8.self)) }
        return try ownedRaw.withUnsafeBufferPointer(body)
    }

    /// Points the raw text at the reader's buffer, which must stay unchanged until the next read.
    public mutating func setRaw(inBuffer bytes: UnsafeRawBufferPointer) {
        rawInBuffer = bytes
    }

    /// Makes the row own its raw text, handing the reader back the array it owned before.
    public mutating func swapOwnedRaw(with bytes: inout [UInt8]) {
        rawInBuffer = nil
        swap(&ownedRaw, &bytes)
    }

    public func fieldRange(_ index: Int) -> Range<Int> {
        (index == 0 ? 0 : fieldEnds[index - 1])..<fieldEnds[index]
    }

    /// Clears the fields and raw text, keeping capacity.
    public mutating func clear() {
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        ownedRaw.removeAll(keepingCapacity: true)
        rawInBuffer = nil
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
    /// Blank lines skipped before this point (`blank_lines: skip`).
    public var blankLinesBefore: Int

    public static let start = ResumePoint(offset: 0, line: 1, rowsBefore: 0)

    public init(offset: Int64, line: Int, rowsBefore: Int, blankLinesBefore: Int = 0) {
        self.offset = offset
        self.line = line
        self.rowsBefore = rowsBefore
        self.blankLinesBefore = blankLinesBefore
    }

    /// The `_row` of the record that ends here: its place among the file's data rows, a skipped
    /// blank line taking a place too. So `_row` does not depend on `blank_lines`, and in a file
    /// without line breaks inside quoted fields a row's line is its `_row` plus one (the header).
    public var rowNumber: Int { rowsBefore + blankLinesBefore }
}
