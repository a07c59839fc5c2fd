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
    static let shared: Result<LibPQ, StoreError> = {
        guard let library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(StoreError("cannot load libpq for the PostgreSQL store (install Debian's libpq5): \(reason)", code: .cannotOpen))
        }
        func function<T>(_ name: String) -> T? {
            dlsym(library, name).map { unsafeBitCast($0, to: T.self) }
        }
        guard let connectdbParams: @convention(c) (CStrings, CStrings, Int32) -> OpaquePointer? = function("PQconnectdbParams"),
              let status: @convention(c) (OpaquePointer?) -> ConnStatusType = function("PQstatus"),
              let errorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = function("PQerrorMessage"),
              let finish: @convention(c) (OpaquePointer?) -> Void = function("PQfinish"),
              let setNoticeProcessor: @convention(c) (OpaquePointer?, PQnoticeProcessor?, UnsafeMutableRawPointer?) -> PQnoticeProcessor? = function("PQsetNoticeProcessor"),
              let exec: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer? = function("PQexec"),
              let execParams: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32, UnsafePointer<Oid>?, CStrings,
                                              UnsafePointer<Int32>?, UnsafePointer<Int32>?, Int32) -> OpaquePointer? = function("PQexecParams"),
              let resultStatus: @convention(c) (OpaquePointer?) -> ExecStatusType = function("PQresultStatus"),
              let clear: @convention(c) (OpaquePointer?) -> Void = function("PQclear"),
              let resultErrorMessage: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = function("PQresultErrorMessage"),
              let resultErrorField: @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<CChar>? = function("PQresultErrorField"),
              let ntuples: @convention(c) (OpaquePointer?) -> Int32 = function("PQntuples"),
              let nfields: @convention(c) (OpaquePointer?) -> Int32 = function("PQnfields"),
              let getisnull: @convention(c) (OpaquePointer?, Int32, Int32) -> Int32 = function("PQgetisnull"),
              let getvalue: @convention(c) (OpaquePointer?, Int32, Int32) -> UnsafeMutablePointer<CChar>? = function("PQgetvalue"),
              let cmdTuples: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = function("PQcmdTuples"),
              let putCopyData: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = function("PQputCopyData"),
              let putCopyEnd: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32 = function("PQputCopyEnd"),
              let getResult: @convention(c) (OpaquePointer?) -> OpaquePointer? = function("PQgetResult")
        else {
            return .failure(StoreError("the libpq found lacks a function the PostgreSQL store needs", code: .cannotOpen))
        }
        return .success(LibPQ(
            connectdbParams: connectdbParams, status: status, errorMessage: errorMessage, finish: finish,
            setNoticeProcessor: setNoticeProcessor, exec: exec, execParams: execParams, resultStatus: resultStatus, clear: clear,
            resultErrorMessage: resultErrorMessage, resultErrorField: resultErrorField, ntuples: ntuples, nfields: nfields,
            getisnull: getisnull, getvalue: getvalue, cmdTuples: cmdTuples, putCopyData: putCopyData, putCopyEnd: putCopyEnd,
            getResult: getResult))
    }()
}
