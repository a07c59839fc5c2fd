import SluiceCSV
import SluiceCore

/// `sluice check --sample`: a profile sniffed from one file, and what loading the file with it
/// would do, row by row.
public struct SampleCheck: Sendable {
    /// A row as it would load: each staging column and its typed value, as text.
    public struct LoadedRow: Sendable, Equatable {
        public var line: Int
        public var values: [(column: String, value: String)]

        public static func == (a: LoadedRow, b: LoadedRow) -> Bool {
            a.line == b.line && a.values.elementsEqual(b.values) { $0.column == $1.column && $0.value == $1.value }
        }
    }

    public struct InvalidRow: Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    public var file: String
    public var guess: ProfileGuess
    /// The name the YAML is given: the supplier's, or the file's.
    public var profileName: String
    /// The supplier named with `--supplier`, and how the sniffed profile differs from the one it is read with now.
    public var supplier: String?
    public var differences: [String] = []
    /// The first rows that would load.
    public var loaded: [LoadedRow] = []
    /// The first rows that would not, with their reasons.
    public var invalid: [InvalidRow] = []
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsInvalid = 0
    public var rowsFiltered = 0
    /// Why the file as a whole would not load (unreadable, a header that cannot map).
    public var fileProblem: String?
    public var onInvalid: InvalidRowPolicy

    /// Rows shown of each kind.
    public static let shownRows = 10
    public static let shownInvalid = 20

    /// Whether every row would load.
    public var wouldLoad: Bool { fileProblem == nil && rowsInvalid == 0 && guess.headerMaps }

    /// Sniffs `bytes` (gzip when `gzip`) and reads all of it with the sniffed profile.
    public static func run(_ definition: PipelineDefinition, _ plan: OutputPlan, bytes: [UInt8], file: String, gzip: Bool,
                           supplier: String?) -> SampleCheck {
        let reader = CSVReaderFactory()
        let head: [UInt8]
        do {
            head = try reader.prefix(of: bytes, gzip: gzip, count: 64 * 1024, options: definition.source.reader)
        } catch {
            let guess = ProfileSniffer.sniff([], schema: definition.schema)
            var check = SampleCheck(file: file, guess: guess, profileName: profileName(supplier, file), supplier: supplier,
                                    onInvalid: definition.schema.onInvalid)
            check.fileProblem = "\(error)"
            return check
        }
        let guess = ProfileSniffer.sniff(head, schema: definition.schema)
        var check = SampleCheck(file: file, guess: guess, profileName: profileName(supplier, file), supplier: supplier,
                                onInvalid: definition.schema.onInvalid)
        if let supplier {
            check.differences = ProfileDifferences.between(guess.profile, and: currentProfile(of: supplier, in: definition),
                                                           sniffedLabel: "in the sample", declaredLabel: "now")
        }
        check.load(definition, plan, bytes: bytes, gzip: gzip)
        return check
    }

    /// Reads every row through the sniffed profile, keeping the first of each outcome.
    private mutating func load(_ definition: PipelineDefinition, _ plan: OutputPlan, bytes: [UInt8], gzip: Bool) {
        let profile = guess.profile
        var options = definition.source.reader
        (options.delimiter, options.encoding, options.quote, options.escape) = (profile.delimiter, profile.encoding, profile.quote, profile.escape)
        let width = (guess.mapping.map(\.position).max() ?? -1) + 1 + guess.unmappedHeaders.count
        let names = (0..<width).map { position in guess.mapping.first { $0.position == position }?.column ?? "field \(position + 1)" }
        options.headerNames = profile.header == .absent ? names : nil
        do {
            let reader = try CSVReaderFactory().open(bytes: bytes, gzip: gzip, options: options)
            defer { reader.close() }
            let header = options.headerNames ?? reader.header
            var validation = try sampleValidation(definition, plan, header: header, guess: guess,
                                                  supplier: supplier ?? "sample", file: file)
            var batch = RowBatch(columnCount: plan.columns.count)
            var raw = RawRow()
            // A reader that does not take `headerNames` yet reads the first data line as the header.
            if let names = options.headerNames, reader.header != names {
                count(.row, Self.row(reader.header), rowNumber: 1, &validation, &batch, plan)
            }
            while true {
                let read = try reader.next(into: &raw)
                if read == .end { break }
                count(read, raw, rowNumber: raw.next.rowNumber, &validation, &batch, plan)
            }
        } catch {
            fileProblem = "\(error)"
        }
    }

    private mutating func count(_ read: ReadResult, _ raw: RawRow, rowNumber: Int, _ validation: inout RowValidation,
                                _ batch: inout RowBatch, _ plan: OutputPlan) {
        rowsRead += 1
        let before = batch.rowCount
        let (loadedRow, reason): (Bool, String?) = switch read {
        case .malformed(let reason): (false, reason)
        default: validation.process(raw, rowNumber: rowNumber, into: &batch)
        }
        if loadedRow {
            rowsLoaded += 1
            if loaded.count < Self.shownRows { loaded.append(LoadedRow(line: raw.line, values: CellText.row(before, of: batch, plan))) }
        } else if let reason {
            rowsInvalid += 1
            if invalid.count < Self.shownInvalid { invalid.append(InvalidRow(line: raw.line, reason: reason)) }
        } else {
            rowsFiltered += 1
        }
        // Only the rows shown are kept.
        if batch.rowCount >= Self.shownRows { batch = RowBatch(columnCount: batch.columnCount) }
    }

    /// A first line the reader took for a header, as the data row it is.
    private static func row(_ fields: [String]) -> RawRow {
        var row = RawRow()
        for field in fields {
            row.fieldBytes += Array(field.utf8)
            row.fieldEnds.append(row.fieldBytes.count)
        }
        row.raw = Array(fields.joined(separator: ",").utf8)
        row.line = 1
        return row
    }

    private static func profileName(_ supplier: String?, _ file: String) -> String {
        if let supplier { return supplier }
        let base = file.split(separator: "/").last.map(String.init) ?? file
        let stem = base.split(separator: ".").first.map(String.init) ?? base
        let name = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return name.isEmpty ? "sample" : name
    }
}
