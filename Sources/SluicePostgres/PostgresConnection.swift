import CLibPQ
import Foundation
import SluiceCore

/// One libpq connection. Not shared between threads: one owner uses it at a time.
///
/// Parameters go to the server as text, separate from the statement, so no value is ever
/// spliced into SQL.
final class PostgresConnection {
    private let pq: LibPQ
    private let handle: OpaquePointer
    /// The server as messages name it, without a password.
    let location: String

    /// - Throws: `StoreError` (`cannotOpen`, or `connectionLost` when the server is down) with
    ///   libpq's reason, which never holds the password.
    init(_ settings: PostgresSettings, applicationName: String = "sluice") throws {
        location = settings.description
        let pq = try LibPQ.shared.get()
        self.pq = pq
        var pairs: [(String, String)] = [("application_name", applicationName), ("connect_timeout", "10"),
                                         ("client_encoding", "UTF8")]
        if let host = settings.host { pairs.append(("host", host)) }
        if let port = settings.port { pairs.append(("port", String(port))) }
        if let database = settings.database { pairs.append(("dbname", database)) }
        if let user = settings.user { pairs.append(("user", user)) }
        if let sslmode = settings.sslmode { pairs.append(("sslmode", sslmode)) }
        if let name = settings.passwordEnvironment {
            guard let password = ProcessInfo.processInfo.environment[name] else {
                throw StoreError("cannot connect to \(location): the environment variable \(name) (load.password_env) is not set",
                                 code: .cannotOpen)
            }
            pairs.append(("password", password))
        }
        let connection = withCStrings(pairs.map(\.0)) { keywords in
            withCStrings(pairs.map(\.1)) { values in pq.connectdbParams(keywords, values, 0) }
        }
        guard let connection else { throw StoreError("cannot connect to \(location): out of memory", code: .cannotOpen) }
        guard pq.status(connection) == CONNECTION_OK else {
            let reason = cText(pq.errorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            pq.finish(connection)
            let refused = reason.contains("Connection refused") || reason.contains("No such file or directory")
            throw StoreError("cannot connect to \(location): \(reason)", code: refused ? .connectionLost : .cannotOpen)
        }
        handle = connection
        // The server's notices (a table that already exists, a shutdown under way) are not
        // the user's business; errors come back with each result.
        _ = pq.setNoticeProcessor(connection, { _, _ in }, nil)
        // Timestamps without a zone are read as UTC, whatever the server's own zone. A commit is
        // durable when the server acknowledges it, whatever the server's or the role's default:
        // a file is archived or deleted once its last commit is acknowledged.
        try execute("SET TIME ZONE 'UTC'; SET synchronous_commit = on")
    }

    deinit { pq.finish(handle) }

    /// Runs statements without parameters (several, separated by `;`, are allowed).
    /// - Throws: `StoreError`.
    func execute(_ sql: String) throws {
        let result = pq.exec(handle, sql)
        defer { pq.clear(result) }
        try check(result, sql)
    }

    /// Runs one statement with text parameters and returns its rows. A `prepared` statement is
    /// planned once per connection and run by name after: for the small statements a worker
    /// runs for every file, where planning cost more than running.
    /// - Throws: `StoreError`.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = [], prepared: Bool = false) throws -> PostgresRows {
        let name = prepared ? try statementName(sql, parameterCount: parameters.count) : nil
        let result = withOptionalCStrings(parameters) { values in
            if let name { return pq.execPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0) }
            return pq.execParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        do {
            try check(result, sql)
        } catch {
            pq.clear(result)
            throw error
        }
        return PostgresRows(result!, pq)
    }

    /// The statements prepared on this connection, by their SQL.
    private var statements: [String: String] = [:]

    private func statementName(_ sql: String, parameterCount: Int) throws -> String {
        if let name = statements[sql] { return name }
        let name = "sluice_\(statements.count)"
        let result = pq.prepare(handle, name, sql, Int32(parameterCount), nil)
        defer { pq.clear(result) }
        try check(result, sql)
        statements[sql] = name
        return name
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// - Throws: what `body` throws, or `StoreError`.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            if pq.status(handle) == CONNECTION_OK { _ = pq.exec(handle, "ROLLBACK").map { pq.clear($0) } }
            throw error
        }
    }

    /// Streams `data` into `COPY ... FROM STDIN` and returns the rows the server took.
    /// - Throws: `StoreError`; the server then took none of them.
    @discardableResult
    func copy(_ sql: String, _ data: [UInt8]) throws -> Int {
        let start = pq.exec(handle, sql)
        guard pq.resultStatus(start) == PGRES_COPY_IN else {
            defer { pq.clear(start) }
            try check(start, sql)
            throw StoreError("PostgreSQL \(location): \(sql.prefix(60)) did not start a copy", code: .other)
        }
        pq.clear(start)
        let sent = data.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pq.putCopyData(handle, $0, Int32(buffer.count)) }
            } ?? 1
        }
        if sent != 1 { _ = pq.putCopyEnd(handle, "the client could not send its data") } else { _ = pq.putCopyEnd(handle, nil) }
        var count = 0
        var failure: StoreError?
        while let result = pq.getResult(handle) {
            defer { pq.clear(result) }
            do {
                try check(result, sql)
                count = Int(cText(pq.cmdTuples(result))) ?? 0
            } catch let error as StoreError {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return count
    }

    private func check(_ result: OpaquePointer?, _ sql: String) throws {
        let status = result.map(pq.resultStatus) ?? PGRES_FATAL_ERROR
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK, status != PGRES_COPY_IN else { return }
        let message = result.map { cText(pq.resultErrorMessage($0)) } ?? ""
        let reason = (message.isEmpty ? cText(pq.errorMessage(handle)) : message)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let state = result.flatMap { pq.resultErrorField($0, sqlStateField) }.map { String(cString: $0) }
        // An error without a SQLSTATE came from libpq, not the server: the connection failed
        // (libpq may not have marked it bad yet, as when the server dies during a COPY).
        let lost = pq.status(handle) != CONNECTION_OK || state == nil
        throw StoreError("PostgreSQL \(location): \(reason) (while running: \(sql.prefix(80)))",
                         code: lost ? .connectionLost : .postgres(sqlState: state))
    }
}

/// A C string libpq returns ("" for none).
private func cText(_ pointer: UnsafeMutablePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }

/// `PG_DIAG_SQLSTATE`, a character constant Swift does not import.
private let sqlStateField = Int32(UInt8(ascii: "C"))

extension StoreError.Code {
    /// The kind of a PostgreSQL error from its SQLSTATE class.
    static func postgres(sqlState: String?) -> StoreError.Code {
        guard let state = sqlState else { return .other }
        switch state {
        case "53100": return .full
        case "25006": return .readOnly
        case "40001", "40P01", "55P03", "57014": return .busy
        case "XX001", "XX002": return .corrupt
        case "58030": return .io
        default: break
        }
        switch state.prefix(2) {
        case "08", "57": return .connectionLost
        case "23": return .constraint
        case "53": return .full
        case "28", "3D": return .cannotOpen
        default: return .other
        }
    }
}

/// The rows of one result, freed when the value goes.
final class PostgresRows {
    private let pq: LibPQ
    private let result: OpaquePointer
    let count: Int
    let columnCount: Int

    init(_ result: OpaquePointer, _ pq: LibPQ) {
        self.pq = pq
        self.result = result
        count = Int(pq.ntuples(result))
        columnCount = Int(pq.nfields(result))
    }

    deinit { pq.clear(result) }

    func isNull(_ row: Int, _ column: Int) -> Bool { pq.getisnull(result, Int32(row), Int32(column)) != 0 }

    func string(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : cText(pq.getvalue(result, Int32(row), Int32(column)))
    }

    func int(_ row: Int, _ column: Int) -> Int64 { string(row, column).flatMap { Int64($0) } ?? 0 }

    func double(_ row: Int, _ column: Int) -> Double { string(row, column).flatMap { Double($0) } ?? 0 }

    func bool(_ row: Int, _ column: Int) -> Bool { string(row, column) == "t" }

    /// A `bytea` column, which the server sends as `\x` and hex digits.
    func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        guard let text = string(row, column) else { return nil }
        let hex = Array(text.utf8.dropFirst(2))
        return stride(from: 0, to: hex.count - 1, by: 2).map { UInt8(hexValue(hex[$0]) << 4 | hexValue(hex[$0 + 1])) }
    }
}

private func hexValue(_ digit: UInt8) -> UInt8 {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    default: 0
    }
}

/// Calls `body` with the strings as a C array that ends in NULL, alive for the call.
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    withOptionalCStrings(strings.map { Optional($0) } + [nil], body)
}

private func withOptionalCStrings<T>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
