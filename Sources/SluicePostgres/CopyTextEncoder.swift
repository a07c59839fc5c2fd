import SluiceCore

/// Writes batches in `COPY ... FROM STDIN` text format: one line per row, tab between
/// columns, `\N` for NULL, and a backslash before tab, newline, carriage return and backslash.
/// Rows reach PostgreSQL as the same bytes the parser kept (text is checked UTF-8 without NUL
/// by then), never through a `String` per field.
struct CopyTextEncoder {
    private(set) var bytes: [UInt8] = []
    private(set) var rows = 0

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        rows = 0
    }

    /// Appends the batch's rows followed by its lineage columns: supplier, file, file id, row number.
    mutating func append(_ batch: LoadBatch) {
        let table = batch.rows
        guard table.rowCount > 0 else { return }
        var lineage: [UInt8] = []
        copyEscape(Array(batch.supplier.utf8), into: &lineage)
        lineage.append(tab)
        copyEscape(Array(batch.file.utf8), into: &lineage)
        lineage.append(tab)
        appendInteger(batch.progress.fileID, into: &lineage)
        lineage.append(tab)
        bytes.reserveCapacity(bytes.count + table.arena.count + table.rowCount * (table.columnCount * 4 + lineage.count + 8))
        table.arena.withUnsafeBufferPointer { arena in
            var cell = 0
            for row in 0..<table.rowCount {
                for _ in 0..<table.columnCount {
                    switch table.cells[cell] {
                    case .null: bytes.append(contentsOf: nullMarker)
                    case .integer(let value): appendInteger(value, into: &bytes)
                    case .real(let value): bytes.append(contentsOf: "\(value)".utf8)
                    case .text(let start, let count):
                        copyEscape(UnsafeBufferPointer(rebasing: arena[Int(start)..<Int(start) + Int(count)]), into: &bytes)
                    }
                    bytes.append(tab)
                    cell += 1
                }
                bytes.append(contentsOf: lineage)
                appendInteger(table.rowNumbers[row], into: &bytes)
                bytes.append(newline)
            }
        }
        rows += table.rowCount
    }
}

private let tab = UInt8(ascii: "\t")
private let newline = UInt8(ascii: "\n")
private let backslash = UInt8(ascii: "\\")
private let nullMarker: [UInt8] = [backslash, UInt8(ascii: "N")]

/// Escapes text for a `COPY` text field.
func copyEscape(_ text: some Collection<UInt8>, into out: inout [UInt8]) {
    for byte in text {
        switch byte {
        case backslash: out += [backslash, backslash]
        case tab: out += [backslash, UInt8(ascii: "t")]
        case newline: out += [backslash, UInt8(ascii: "n")]
        case UInt8(ascii: "\r"): out += [backslash, UInt8(ascii: "r")]
        default: out.append(byte)
        }
    }
}

private func appendInteger(_ value: Int64, into out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = value.magnitude
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
        repeat {
            buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        out.append(contentsOf: buffer[(20 - count)...])
    }
}
