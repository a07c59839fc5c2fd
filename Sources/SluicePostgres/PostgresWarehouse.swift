import Foundation
import Logging
import SluiceCore
import Synchronization

/// PostgreSQL as staging table, quarantine and checkpoints: one connection, one transaction
/// per call, rows and rejects in with `COPY`. The policy is the core's; this runs statements.
///
/// Calls take turns on the one connection, which is what makes it `@unchecked Sendable`.
public final class PostgresWarehouse: BlockingWarehouse, @unchecked Sendable {
    var connection: PostgresConnection
    let settings: PostgresSettings
    let logger: Logger
    let pipeline: String
    let table: String
    /// The run in progress, stamped on the files it starts.
    var currentRun: Int64?
    private var copyRows: String?
    private var binary = CopyBinaryEncoder(types: [])
    private var encoder = CopyTextEncoder()
    private let turn = Mutex(())

    /// Connects and applies migrations; `readOnly` only connects, for status and reports.
    /// - Parameter leaseTTL: how long workers' leases last. A worker paused inside a commit
    ///   holds its files' rows locked, and no other worker could take them over: the server
    ///   ends such a session once it has been idle in its transaction this long (10 s at
    ///   least, so a worker starved of CPU for a moment under a short lease is not cut off).
    /// - Throws: `StoreError`.
    public init(settings: PostgresSettings, pipeline: String, table: String, readOnly: Bool = false,
                leaseTTL: Duration? = nil, logger: Logger = Logger(label: "sluice")) throws {
        self.settings = settings
        self.logger = logger
        self.pipeline = pipeline
        self.table = table
        self.leaseTTL = leaseTTL
        connection = try Self.connect(settings, leaseTTL: leaseTTL)
        if !readOnly {
            try PostgresMigrations.apply(to: connection)
        } else if try connection.query("SELECT to_regclass('sluice_files') IS NULL").bool(0, 0) {
            throw StoreError("no store in \(settings): has `sluice run` loaded this pipeline yet?", code: .cannotOpen)
        }
    }

    public var location: String { connection.location }

    let leaseTTL: Duration?

    static func connect(_ settings: PostgresSettings, leaseTTL: Duration?) throws -> PostgresConnection {
        let connection = try PostgresConnection(settings)
        if let leaseTTL {
            try connection.execute("SET idle_in_transaction_session_timeout = \(Int64(max(leaseTTL, .seconds(10)).inSeconds * 1000))")
        }
        return connection
    }

    /// Runs `body` while no other call uses the connection, again after a reconnect when the
    /// connection was lost (see `reconnect_for`); `landed` says whether a call whose commit was
    /// in doubt did commit, so it is not run twice.
    func serialized<T: Sendable>(landed: (() throws -> T?)? = nil, _ body: () throws -> T) throws -> T {
        try turn.withLock { _ in try withReconnect(landed: landed, body) }
    }

    // MARK: Staging table

    public func prepare(columns: [OutputColumn]) throws {
        try serialized {
            let lineage: [(name: String, type: String)] = [("_supplier", "text"), ("_file", "text"), ("_file_id", "bigint"), ("_row", "bigint")]
            let all = columns.map { (name: $0.name, type: Self.sqlType($0.type)) } + lineage
            if let long = all.first(where: { $0.name.utf8.count > 63 }) {
                throw StoreError("column \(long.name) is \(long.name.utf8.count) bytes; PostgreSQL allows 63 and would cut it", code: .other)
            }
            try connection.transaction {
                // Workers starting together take turns: one creates the table, the others find it.
                try connection.query("SELECT pg_advisory_xact_lock(hashtext('sluice table ' || $1))", [table])
                let existing = try connection.query("""
                    SELECT column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
                    """, [table])
                let names = (0..<existing.count).map { existing.string($0, 0) ?? "" }
                if names.isEmpty {
                    let definitions = all.map { "\(sqlIdentifier($0.name)) \($0.type)" }.joined(separator: ", ")
                    try connection.execute("CREATE TABLE \(sqlIdentifier(table)) (\(definitions))")
                    // Taking a file's rows back out (a rejected file, a new version) finds them by file id.
                    // BRIN: file ids rise as files load, so block ranges are narrow and the index
                    // costs the load almost nothing, where a B-tree took a third of COPY's time.
                    try connection.execute("CREATE INDEX \(sqlIdentifier(Self.fileIndexName(of: table))) ON \(sqlIdentifier(table)) USING brin (_file_id)")
                } else if StagingColumns.lacksOnlyExtra(names, all.map(\.name)) {
                    try connection.execute("ALTER TABLE \(sqlIdentifier(table)) ADD COLUMN \(sqlIdentifier(OutputPlan.extraColumn)) jsonb")
                } else if !StagingColumns.matches(names, all.map(\.name)) {
                    throw StoreError("table \(table) in \(location) has columns (\(names.joined(separator: ", "))) but the pipeline produces (\(all.map(\.name).joined(separator: ", "))); load into a new table or drop the old one")
                }
            }
            binary = CopyBinaryEncoder(types: columns.map(\.type))
            copyRows = "COPY \(sqlIdentifier(table)) (\(all.map { sqlIdentifier($0.name) }.joined(separator: ", "))) FROM STDIN"
        }
    }

    /// The name of the staging table's index by file id: `<table>_by_file` when that fits in
    /// PostgreSQL's 63 bytes; otherwise the table's name is shortened and a hash of it whole
    /// keeps two long names that share a beginning apart (PostgreSQL would cut both alike).
    /// The hash is 32-bit FNV-1a, not the core's 64-bit `stableHash`: tables made earlier keep
    /// their index under this name.
    static func fileIndexName(of table: String) -> String {
        let suffix = "_by_file"
        guard table.utf8.count + suffix.utf8.count > 63 else { return table + suffix }
        var hash: UInt32 = 2_166_136_261
        for byte in table.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let tag = "_" + String(hash, radix: 16)
        var prefix = Substring(table)
        while prefix.utf8.count + tag.utf8.count + suffix.utf8.count > 63 { prefix = prefix.dropLast() }
        return prefix + tag + suffix
    }

    /// PostgreSQL's type for a logical type.
    static func sqlType(_ type: LogicalType) -> String {
        switch type {
        case .integer: "bigint"
        case .decimal(let precision, let scale): "numeric(\(precision),\(scale))"
        case .date: "date"
        case .timestamp: "timestamptz"
        case .boolean: "boolean"
        case .text: "text"
        case .json: "jsonb"
        }
    }

    // MARK: Commit

    /// One transaction for the group: its files' states read (and locked) once, every row in
    /// one `COPY`, every quarantined row in another, every file's checkpoint in one `UPDATE`
    /// (one per round when a file has several batches in the group), then what completions
    /// take back. A batch whose lease another claim replaced is left out, and its file returned.
    public func commit(_ batches: [LoadBatch], at time: Double) throws -> Set<Int64> {
        // The group's mark commits with it: after a lost connection it tells whether it landed.
        let mark = String(Int64.random(in: 1...Int64.max))
        // A commit in doubt that landed had refused nothing: its leases were checked under lock.
        let landed = { try self.connection.query(PostgresSQL.findMark, [self.pipeline, mark]).count == 1 ? Set<Int64>() : nil }
        // Encoded before the transaction opens, which then only streams them: its row locks
        // are held as briefly as can be. Rows of a file rejected in this group are never sent.
        let sendable = batches.filter { $0.settled == nil && CompletionOutcome($0.progress.completion).cleanup == .none }
        var encoded = encode(sendable)
        return try serialized(landed: landed) {
            guard let copyRows else { throw StoreError("commit before prepare") }
            return try connection.transaction {
                try connection.query(PostgresSQL.setMark, [pipeline, mark])
                let files = try fileStates(batches.filter { $0.settled == nil }.map(\.progress.fileID))
                let refused = Set(batches.filter { batch in
                    guard let lease = batch.progress.lease, let standing = files[batch.progress.fileID] else { return false }
                    return standing.lease != lease
                }.map(\.progress.fileID))
                let accepted = batches.filter {
                    $0.settled == nil && !refused.contains($0.progress.fileID)
                        && VersionPolicy.acceptsCommit(in: files[$0.progress.fileID]?.state ?? .pending)
                }
                // Rows of a file whose completion takes its rows back are never sent.
                let keeping = accepted.filter { CompletionOutcome($0.progress.completion).cleanup == .none }
                // A batch refused for its lease or its file's state: encode what is left.
                if keeping.count != encoded.files { encoded = encode(keeping) }
                try copy(encoded, into: copyRows)
                try copyQuarantine(accepted, at: time)
                for round in rounds(accepted) { try advance(round, at: time) }
                for batch in accepted { if let reading = batch.progress.reading { try record(reading, of: batch.progress.fileID) } }
                var staged = Set(files.filter { $0.value.rowsLoaded > 0 }.keys)
                for batch in accepted {
                    let id = batch.progress.fileID
                    if batch.rows.rowCount > 0 && CompletionOutcome(batch.progress.completion).cleanup == .none { staged.insert(id) }
                    try takeBack(after: batch.progress, hadStagedRows: staged.contains(id))
                }
                for batch in batches {
                    guard let action = batch.settled else { continue }
                    try connection.query("UPDATE sluice_files SET settled_at = $1::float8, settle_action = $2 WHERE id = $3::bigint",
                                         [text(time), action.rawValue, text(batch.progress.fileID)])
                }
                // A file's last batch lets its lease and slots go, in the same transaction.
                let ended = accepted.filter { $0.progress.completion != nil && $0.progress.lease != nil }
                if let owner = ended.first?.progress.lease?.owner {
                    try connection.query(PostgresClaimSQL.releaseFinished, [pipeline, owner, array(ended.map { text($0.progress.fileID) })])
                }
                return refused
            }
        }
    }

    /// Rows ready for `COPY`: the statement's format and the bytes to stream.
    private struct EncodedRows {
        var files: Int
        var binary: Bool
        var rows: Int
    }

    /// Encodes the rows in binary form, or as text when one has no binary form; the bytes stay
    /// in `binary` or `encoder` until the next call.
    private func encode(_ batches: [LoadBatch]) -> EncodedRows {
        binary.reset()
        if batches.allSatisfy({ binary.append($0) }) {
            binary.finish()
            return EncodedRows(files: batches.count, binary: true, rows: binary.rows)
        }
        encoder.reset()
        for batch in batches { encoder.append(batch) }
        return EncodedRows(files: batches.count, binary: false, rows: encoder.rows)
    }

    /// Sends the rows `encode` left ready.
    private func copy(_ encoded: EncodedRows, into sql: String) throws {
        guard encoded.rows > 0 else { return }
        if encoded.binary {
            try connection.copy(sql + " (FORMAT binary)", binary.bytes)
        } else {
            try connection.copy(sql, encoder.bytes)
        }
    }

    /// The group's batches split so that no file appears twice in one round, in order.
    private func rounds(_ batches: [LoadBatch]) -> [[FileProgress]] {
        var rounds: [[FileProgress]] = []
        var seen: [Int64: Int] = [:]
        for batch in batches {
            let round = seen[batch.progress.fileID, default: 0]
            seen[batch.progress.fileID] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(batch.progress)
        }
        return rounds
    }

    private struct FileStanding {
        var state: FileState
        var rowsLoaded: Int64
        /// Whoever holds the file now: a commit under any other lease is refused.
        var lease: Lease?
    }

    /// The files' states, locked until the commit ends: a claim skips a file being committed,
    /// so no lease changes hands between this check and the commit.
    private func fileStates(_ ids: [Int64]) throws -> [Int64: FileStanding] {
        guard !ids.isEmpty else { return [:] }
        let rows = try connection.query("""
            SELECT id, state, rows_loaded, lease_owner, lease_epoch FROM sluice_files
            WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE
            """, [array(ids.map(text))])
        var states: [Int64: FileStanding] = [:]
        for row in 0..<rows.count {
            states[rows.int(row, 0)] = FileStanding(
                state: FileState(rawValue: rows.string(row, 1) ?? "") ?? .pending, rowsLoaded: rows.int(row, 2),
                lease: rows.string(row, 3).map { Lease(owner: $0, epoch: rows.int(row, 4)) })
        }
        return states
    }

    /// Every quarantined row of the group in one `COPY`, raw text as `bytea`.
    private func copyQuarantine(_ batches: [LoadBatch], at time: Double) throws {
        var lines: [UInt8] = []
        for batch in batches {
            for row in batch.quarantine {
                let wholeFile = row.rowNumber == 0
                let fields: [String?] = [
                    pipeline, text(batch.progress.fileID), batch.supplier, batch.file, wholeFile ? "file" : "row",
                    row.line == 0 ? nil : String(row.line), wholeFile && row.offset == 0 ? nil : String(row.offset),
                    wholeFile ? nil : String(row.rowNumber), row.reason, wholeFile ? nil : hexBytea(row.raw), text(time),
                ]
                lines += copyLine(fields)
            }
        }
        guard !lines.isEmpty else { return }
        try connection.copy("""
            COPY sluice_quarantine (pipeline, file_id, supplier, file, kind, line, byte_offset, row_number, reason, raw, quarantined_at) FROM STDIN
            """, lines)
    }

    /// How a file was read, once per attempt; its header once per distinct header.
    func record(_ reading: FileReading, of fileID: Int64) throws {
        try connection.query("INSERT INTO sluice_headers (digest, header) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
                             [reading.headerDigest, reading.header])
        try connection.query(
            "UPDATE sluice_files SET read_with = $2, header_digest = $3, header_mapping = $4, drift = $5 WHERE id = $1::bigint",
            [text(fileID), reading.profileKey, reading.headerDigest, reading.mapping, reading.drift])
    }

    /// Checkpoints, states and counts of files with one batch each, in one statement.
    private func advance(_ round: [FileProgress], at time: Double) throws {
        let outcomes = round.map { CompletionOutcome($0.completion) }
        func column(_ value: (FileProgress) -> Int) -> String { array(round.map { String(value($0)) }) }
        try connection.query(PostgresSQL.advanceFiles, [
            currentRun.map(text), text(time),
            array(round.map { text($0.fileID) }), array(round.map { text($0.next.offset) }),
            column(\.next.line), column(\.next.rowsBefore), column(\.rows.read), column(\.rows.loaded),
            column(\.rows.quarantined), column(\.rows.filtered), column(\.rowsInvalid), column(\.next.blankLinesBefore),
            array(round.map { $0.startedAt.map(text) }), array(round.map { $0.queuedAt.map(text) }),
            array(outcomes.map(\.state.rawValue)), array(outcomes.map(\.error)),
            array(zip(round, outcomes).map { progress, outcome in outcome.finished ? text(progress.finishedAt ?? time) : nil }),
        ])
    }

    /// What a completion takes back, after its checkpoint was written.
    private func takeBack(after progress: FileProgress, hadStagedRows: Bool) throws {
        let id = [text(progress.fileID)]
        switch CompletionOutcome(progress.completion).cleanup {
        case .none:
            break
        case .rejectFile:
            if hadStagedRows { try deleteRows(ofFile: progress.fileID) }
            try connection.query("UPDATE sluice_files SET rows_loaded = 0, rows_quarantined = rows_read - rows_filtered WHERE id = $1::bigint", id)
        case .rollBack:
            if hadStagedRows { try deleteRows(ofFile: progress.fileID) }
            try connection.query("DELETE FROM sluice_quarantine WHERE file_id = $1::bigint AND kind = 'row'", id)
            try connection.query("""
                UPDATE sluice_files SET next_offset = 0, next_line = 1, next_row = 0, rows_read = 0, rows_loaded = 0,
                    rows_quarantined = 0, rows_filtered = 0, rows_invalid = 0, blank_lines = 0 WHERE id = $1::bigint
                """, id)
        }
    }

    func deleteRows(ofFile id: Int64) throws {
        try connection.query("DELETE FROM \(sqlIdentifier(table)) WHERE _file_id = $1::bigint", [text(id)])
    }

    /// The file record in `fileColumns`, which start at column `first`.
    static func fileRecord(_ rows: PostgresRows, _ row: Int, from first: Int = 0) -> FileRecord {
        var record = FileRecord(
            id: rows.int(row, first + 0), supplier: rows.string(row, first + 1) ?? "", relativePath: rows.string(row, first + 2) ?? "",
            size: rows.int(row, first + 3), fingerprint: rows.string(row, first + 4) ?? "",
            state: FileState(rawValue: rows.string(row, first + 5) ?? "") ?? .pending,
            next: ResumePoint(offset: rows.int(row, first + 6), line: Int(rows.int(row, first + 7)), rowsBefore: Int(rows.int(row, first + 8)),
                              blankLinesBefore: Int(rows.int(row, first + 17))),
            rows: RowCounts(read: Int(rows.int(row, first + 9)), loaded: Int(rows.int(row, first + 10)), quarantined: Int(rows.int(row, first + 11)),
                            filtered: Int(rows.int(row, first + 12)), blankLinesSkipped: Int(rows.int(row, first + 17))),
            attempts: Int(rows.int(row, first + 13)), lastError: rows.string(row, first + 14), settled: rows.bool(row, first + 15))
        record.rowsInvalid = Int(rows.int(row, first + 16))
        record.readWith = rows.string(row, first + 18)
        return record
    }
}

/// A number as a text parameter.
func text(_ value: Int64) -> String { String(value) }
func text(_ value: Double) -> String { "\(value)" }

/// An array parameter: `{"a","b",NULL}`, quotes and backslashes escaped. Built on bytes: a
/// registration sends tens of thousands of elements.
func array(_ values: [String?]) -> String {
    var out: [UInt8] = [UInt8(ascii: "{")]
    out.reserveCapacity(values.count * 24)
    for (index, value) in values.enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        guard let value else { out += Array("NULL".utf8); continue }
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }
    out.append(UInt8(ascii: "}"))
    return String(decoding: out, as: UTF8.self)
}

/// `bytea` in its hex input form.
private func hexBytea(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
    out.reserveCapacity(2 + bytes.count * 2)
    for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
    return String(decoding: out, as: UTF8.self)
}

/// One line of `COPY` text: fields escaped, `\N` for nil.
private func copyLine(_ fields: [String?]) -> [UInt8] {
    var line: [UInt8] = []
    for (index, field) in fields.enumerated() {
        if index > 0 { line.append(UInt8(ascii: "\t")) }
        guard let field else { line += [UInt8(ascii: "\\"), UInt8(ascii: "N")]; continue }
        copyEscape(field.utf8, into: &line)
    }
    line.append(UInt8(ascii: "\n"))
    return line
}
