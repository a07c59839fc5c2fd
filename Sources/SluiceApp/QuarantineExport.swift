import Foundation
import SluiceCore
import SluiceSQLite

/// The quarantine from the store.
/// - Throws: `StoreError`.
public func readQuarantine(_ definition: PipelineDefinition, limit: Int?) throws -> [QuarantineEntry] {
    try openStore(definition, readOnly: true).quarantine(limit: limit)
}

/// The quarantine as CSV for a spreadsheet: RFC 4180 quoting, and every cell that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is
/// prefixed with `'` so it is shown, not run.
public func quarantineCSV(_ entries: [QuarantineEntry]) -> String {
    var lines = ["supplier,file,kind,line,byte_offset,row_number,reason,raw"]
    for entry in entries {
        let cells: [String] = [entry.supplier, entry.file, entry.kind, entry.line.map { String($0) } ?? "",
                     entry.byteOffset.map { String($0) } ?? "", entry.rowNumber.map { String($0) } ?? "", entry.reason,
                     entry.rawText ?? ""]
        lines.append(cells.map { csvCell(neutralised($0)) }.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
}

func neutralised(_ cell: String) -> String {
    guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return cell }
    return "'" + cell
}

func csvCell(_ cell: String) -> String {
    guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
    return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
