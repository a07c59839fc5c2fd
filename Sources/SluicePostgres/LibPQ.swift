import CLibPQ
import Glibc
import SluiceCore

/// libpq, loaded when the first PostgreSQL connection opens instead of linked into the
/// binary: linked, it maps its own libraries (TLS, Kerberos, LDAP) into every run, SQLite or
/// not, for about 6 MB of memory each. The functions are the ones the header declares.
struct LibPQ: @unchecked Sendable {
    typealias CStrings = UnsafePointer<UnsafePointer<CChar>?>?
    let connectdbParams: @convention(c) (CStrings, CStrings, Int32) -> OpaquePointer?
    let status: @convention(c) (OpaquePointer?) -> ConnStatusType
    let errorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let finish: @convention(c) (OpaquePointer?) -> Void
    let setNoticeProcessor: @convention(c) (OpaquePointer?, PQnoticeProcessor?, UnsafeMutableRawPointer?) -> PQnoticeProcessor?
    let exec: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    let execParams: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, CStrings,
                                    UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    let prepare: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?) -> OpaquePointer?
    let execPrepared: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, CStrings,
                                      UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> OpaquePointer?
    let resultStatus: @convention(c) (OpaquePointer?) -> ExecStatusType
    let clear: @convention(c) (OpaquePointer?) -> Void
    let resultErrorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let resultErrorField: @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<CChar>?
    let ntuples: @convention(c) (OpaquePointer?) -> Int32
    let nfields: @convention(c) (OpaquePointer?) -> Int32
    let getisnull: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32
    let getvalue: @convention(c) (OpaquePointer?, Int32, Int32) -> UnsafeMutablePointer<CChar>?
    let cmdTuples: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    let putCopyData: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32
    let putCopyEnd: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    let getResult: @convention(c) (OpaquePointer?) -> OpaquePointer?

    /// Loaded once; the error names the library when it is not installed.
    static let shared = Result { () throws(StoreError) -> LibPQ in
        guard let library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw StoreError("cannot load libpq for the PostgreSQL store (install Debian's libpq5): \(reason)", code: .cannotOpen)
        }
        return try LibPQ(library)
    }

    /// Each function by its C name, typed by the property it fills.
    private init(_ library: UnsafeMutableRawPointer) throws(StoreError) {
        func load<T>(_ name: String) throws(StoreError) -> T {
            guard let symbol = dlsym(library, name) else {
                throw StoreError("the libpq found has no \(name), which the PostgreSQL store needs", code: .cannotOpen)
            }
            return unsafeBitCast(symbol, to: T.self)
        }
        connectdbParams = try load("PQconnectdbParams")
        status = try load("PQstatus")
        errorMessage = try load("PQerrorMessage")
        finish = try load("PQfinish")
        setNoticeProcessor = try load("PQsetNoticeProcessor")
        exec = try load("PQexec")
        execParams = try load("PQexecParams")
        prepare = try load("PQprepare")
        execPrepared = try load("PQexecPrepared")
        resultStatus = try load("PQresultStatus")
        clear = try load("PQclear")
        resultErrorMessage = try load("PQresultErrorMessage")
        resultErrorField = try load("PQresultErrorField")
        ntuples = try load("PQntuples")
        nfields = try load("PQnfields")
        getisnull = try load("PQgetisnull")
        getvalue = try load("PQgetvalue")
        cmdTuples = try load("PQcmdTuples")
        putCopyData = try load("PQputCopyData")
        putCopyEnd = try load("PQputCopyEnd")
        getResult = try load("PQgetResult")
    }
}
