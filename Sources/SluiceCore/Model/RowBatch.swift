/// A typed value ready to bind: numbers inline, text as a slice of the batch arena.
public enum Cell: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(start: Int32, count: Int32)
}

/// Validated, transformed rows of one file, row-major, with their lineage row numbers.
public struct RowBatch: Sendable {
    public let columnCount: Int
    /// Text bytes that `Cell.text` slices point into.
    public var arena: [UInt8] = []
    public var cells: [Cell] = []
    /// 1-based data row number in the source file, one per row.
    public var rowNumbers: [Int64] = []

    public init(columnCount: Int, expectedRows: Int = 0) {
        self.columnCount = columnCount
        cells.reserveCapacity(columnCount * expectedRows)
        rowNumbers.reserveCapacity(expectedRows)
        arena.reserveCapacity(expectedRows * 64)
    }

    public var rowCount: Int { rowNumbers.count }

    public mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>) -> Cell {
        let start = Int32(arena.count)
        arena.append(contentsOf: bytes)
        return .text(start: start, count: Int32(bytes.count))
    }
}

/// A rejected row, kept with its reason and its place in the file.
public struct QuarantinedRow: Sendable {
    public var line: Int
    public var offset: Int64
    public var rowNumber: Int
    public var reason: String
    public var raw: [UInt8]

    public init(line: Int, offset: Int64, rowNumber: Int, reason: String, raw: [UInt8]) {
        self.line = line
        self.offset = offset
        self.rowNumber = rowNumber
        self.reason = reason
        self.raw = raw
    }
}
