/// How fields are separated and quoted: the part of a profile a file must be split with.
struct Dialect: Equatable {
    var delimiter: UInt8
    var quote: UInt8
    var escape: QuoteEscape
}

/// One record of the sample: its first line and its fields as UTF-8 bytes, unquoted.
struct SampleRecord {
    var line: Int
    var fields: [[UInt8]]
    /// How many of its fields were quoted.
    var quotedFields: Int

    /// Field `index` as text, or nil past the end of the record.
    func text(_ index: Int) -> String? {
        index < fields.count ? String(decoding: fields[index], as: UTF8.self) : nil
    }
}

/// Splits sample text into records: a small, lenient reader for guessing, not for loading.
enum SampleRecords {
    /// The records of `text`, blank lines skipped; `unterminated` when a quote is still open at the end.
    static func split(_ text: [UInt8], _ dialect: Dialect) -> (records: [SampleRecord], unterminated: Bool) {
        let (lf, cr, backslash) = (UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\\"))
        var records: [SampleRecord] = []
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var quotedFields = 0
        var inQuotes = false, fieldStarted = false
        var line = 1, recordLine = 1
        var i = 0

        func endField() {
            fields.append(field)
            field = []
            fieldStarted = false
        }
        func endRecord() {
            endField()
            if fields.count > 1 || !fields[0].isEmpty || quotedFields > 0 {
                records.append(SampleRecord(line: recordLine, fields: fields, quotedFields: quotedFields))
            }
            fields = []
            quotedFields = 0
        }

        while i < text.count {
            let byte = text[i]
            if inQuotes {
                if dialect.escape == .backslash, byte == backslash, i + 1 < text.count {
                    field.append(text[i + 1])
                    if text[i + 1] == lf { line += 1 }
                    i += 2
                    continue
                }
                if byte == dialect.quote {
                    if dialect.escape == .doubled, i + 1 < text.count, text[i + 1] == dialect.quote {
                        field.append(byte)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if byte == lf { line += 1 }
                    field.append(byte)
                }
                i += 1
                continue
            }
            switch byte {
            case dialect.quote where !fieldStarted:
                inQuotes = true
                fieldStarted = true
                quotedFields += 1
            case dialect.delimiter:
                endField()
            case lf:
                // The CR of a CRLF belongs to the line end, not the field.
                if field.last == cr { field.removeLast() }
                endRecord()
                line += 1
                recordLine = line
            case backslash where dialect.escape == .backslash && i + 1 < text.count && text[i + 1] != lf:
                field.append(text[i + 1])
                fieldStarted = true
                i += 1
            default:
                field.append(byte)
                fieldStarted = true
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty || fieldStarted {
            if !inQuotes, field.last == cr { field.removeLast() }
            endRecord()
        }
        return (records, inQuotes)
    }
}
