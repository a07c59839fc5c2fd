/// Writes a row's fields that the schema does not name as one JSON object, header name to
/// value, exactly as delivered: the `_extra` column.
struct ExtraFields {
    /// Each extra field's index and its key, already written as `"name":`.
    private let fields: [(index: Int, key: [UInt8])]

    /// Nil when the file has no extra columns: its rows' `_extra` is NULL.
    init?(_ extra: [(name: String, index: Int)]) {
        guard !extra.isEmpty else { return nil }
        fields = extra.map { field in
            var key: [UInt8] = []
            Self.appendString(UnsafeBufferPointer(start: nil, count: 0), prefix: Array(field.name.utf8), to: &key)
            key.append(UInt8(ascii: ":"))
            return (field.index, key)
        }
    }

    /// Appends the row's object to the batch arena. A row shorter than the header never gets
    /// here (it is invalid), so every index is a field of the row.
    func append(_ bytes: UnsafeBufferPointer<UInt8>, _ row: RawRow, into batch: inout RowBatch) -> Cell {
        let start = batch.arena.count
        batch.arena.append(UInt8(ascii: "{"))
        for (position, field) in fields.enumerated() {
            if position > 0 { batch.arena.append(UInt8(ascii: ",")) }
            batch.arena.append(contentsOf: field.key)
            Self.appendString(UnsafeBufferPointer(rebasing: bytes[row.fieldRange(field.index)]), to: &batch.arena)
        }
        batch.arena.append(UInt8(ascii: "}"))
        return .text(start: Int32(start), count: Int32(batch.arena.count - start))
    }

    /// A JSON string of `prefix` then `text` (valid UTF-8, checked before): quotes,
    /// backslashes and control characters escaped, everything else as it is.
    private static func appendString(_ text: UnsafeBufferPointer<UInt8>, prefix: [UInt8] = [], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in prefix { escape(byte, to: &out) }
        for byte in text { escape(byte, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            out.append(UInt8(ascii: "\\"))
            out.append(byte)
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: Array("\\u00".utf8))
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        default:
            out.append(byte)
        }
    }
}
