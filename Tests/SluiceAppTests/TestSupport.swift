import CSQLite
import Logging
import SluiceCSV
import SluiceSQLite
import Foundation
import SluiceApp
import SluiceCore
import SluiceSample

/// The package root, found from this file's location.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let referencePipeline = packageRoot.appendingPathComponent("Pipelines/supplier-nightly.yaml").path

/// A fresh temporary directory, removed when the test's scope ends.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ component: String) -> String { url.appendingPathComponent(component).path }
}

/// The reference pipeline pointed at `suppliers` and `database`, plus extra overrides.
///
/// The error budget is lifted so counts can be compared with the generator's manifest exactly;
/// tests about the budget set it again.
func pipeline(suppliers: String, database: String, _ extra: [String] = []) throws -> (PipelineDefinition, OutputPlan) {
    let base = ["source.root=\(suppliers)", "load.database=\(database)", "schema.max_invalid_ratio=1"]
    return try loadDefinition(path: referencePipeline, overrides: base + extra)
}

/// Generates a small scenario into `directory` and returns its manifest.
func generateScenario(into directory: URL, suppliers: Int = 4, files: Int = 5, size: Int = 6_000,
                      gzip: Double = 0.3, invalid: Double = 0.02, seed: UInt64 = 11) throws -> SampleManifest {
    var config = SampleConfiguration()
    config.suppliers = suppliers
    config.filesPerSupplier = files
    config.fileSize = size
    config.gzipRatio = gzip
    config.invalidRatio = invalid
    config.seed = seed
    return try SampleGenerator.generate(config, into: directory)
}

/// Runs one SQL query against a SQLite file and returns every row as text.
func query(_ database: String, _ sql: String) throws -> [[String?]] {
    var handle: OpaquePointer?
    guard sqlite3_open_v2(database, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
        throw StoreError("cannot open \(database)")
    }
    defer { sqlite3_close(handle) }
    // A running writer may hold the file for a moment (a checkpoint): wait instead of reading nothing.
    sqlite3_busy_timeout(handle, 10_000)
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
        throw StoreError(String(cString: sqlite3_errmsg(handle)))
    }
    defer { sqlite3_finalize(statement) }
    var rows: [[String?]] = []
    var step = sqlite3_step(statement)
    while step == SQLITE_ROW {
        rows.append((0..<sqlite3_column_count(statement)).map { column in
            sqlite3_column_text(statement, column).map { String(cString: $0) }
        })
        step = sqlite3_step(statement)
    }
    guard step == SQLITE_DONE else { throw StoreError("\(database): \(String(cString: sqlite3_errmsg(handle)))") }
    return rows
}

/// Runs SQL that changes a SQLite file (to shape a store as an older version left it).
func execute(_ database: String, _ sql: String) throws {
    var handle: OpaquePointer?
    guard sqlite3_open(database, &handle) == SQLITE_OK else { throw StoreError("cannot open \(database)") }
    defer { sqlite3_close(handle) }
    guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw StoreError(String(cString: sqlite3_errmsg(handle))) }
}

func scalar(_ database: String, _ sql: String) throws -> Int {
    Int(try query(database, sql).first?.first??.description ?? "") ?? -1
}

/// Runs the built `sluice` binary and returns its exit status and output.
func runBinary(_ arguments: [String], executable: String? = nil,
               environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = executable.map(URL.init(fileURLWithPath:)) ?? packageRoot.appendingPathComponent(".build/debug/sluice")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// Runs the engine directly with a given source and reader, against the real SQLite store.
func runBatch(_ definition: PipelineDefinition, _ plan: OutputPlan, readers: any RecordReaderFactory = CSVReaderFactory(),
              source: (any FileSource)? = nil, registrationSlice: Int = 2_048,
              observers: [any EngineObserver] = []) async throws -> (RunSummary, SQLiteWarehouse) {
    let warehouse = try openWarehouse(definition)
    var pipeline = Pipeline(definition: definition, plan: plan, readers: readers, store: OffPoolWarehouse(warehouse),
                            logger: Logger(label: "test"))
    pipeline.registrationSlice = registrationSlice
    pipeline.events = EngineEvents(observers)
    let feed = ListingFeed(try source ?? DirectorySource(definition: definition.source))
    return (try await pipeline.run(feed), warehouse)
}

/// Writes `text` as `name` in the supplier's folder under `dir/suppliers`, creating the folder.
func writeSupplierFile(_ dir: TemporaryDirectory, _ name: String, _ text: String, supplier: String = "acme") throws {
    let folder = dir.url.appendingPathComponent("suppliers/\(supplier)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
}

/// A started binary whose output goes to files, read once it has exited.
struct StartedBinary {
    let process: Process
    let stdout: URL
    let stderr: URL

    var pid: Int32 { process.processIdentifier }

    func finish() -> (status: Int32, stdout: String, stderr: String) {
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
                (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// What it has written to standard error so far.
    var errorsSoFar: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
}

/// Starts the built `sluice` binary in the background, its output in files under `dir`.
func startBinary(in dir: TemporaryDirectory, _ arguments: [String], environment: [String: String] = [:]) throws -> StartedBinary {
    let name = UUID().uuidString
    let out = dir.url.appendingPathComponent("\(name).out"), err = dir.url.appendingPathComponent("\(name).err")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = packageRoot.appendingPathComponent(".build/debug/sluice")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    return StartedBinary(process: process, stdout: out, stderr: err)
}

/// Polls until `condition` holds, for at most `seconds`; false if it never did.
func eventually(seconds: Double = 60, _ condition: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if (try? condition()) == true { return true }
        usleep(50_000)
    }
    return (try? condition()) == true
}
