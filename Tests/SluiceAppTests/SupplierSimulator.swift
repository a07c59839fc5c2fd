import Foundation
import Testing

/// `sluice-supplier-sim`, the built binary, serving a folder of supplier folders on a free
/// loopback port for one test, with its request log.
final class SupplierSimulator {
    let process: Process
    let port: Int
    let logPath: String

    /// One line of the simulator's request log.
    struct Request: Decodable {
        var t: Double
        var supplier: String
        var path: String
        var range: String?
        var status: Int
        var cut: Bool
    }

    /// Starts the simulator over `root` with extra options, and waits until it listens.
    init(root: String, in dir: TemporaryDirectory, _ options: [String] = [], environment: [String: String] = [:]) throws {
        let name = UUID().uuidString
        logPath = dir.path("\(name).requests.jsonl")
        let portFile = dir.path("\(name).port")
        process = Process()
        process.executableURL = packageRoot.appendingPathComponent(".build/debug/sluice-supplier-sim")
        process.arguments = ["--root", root, "--port", "0", "--port-file", portFile, "--log", logPath, "--latency-ms", "2"] + options
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port: Int?
        _ = eventually { port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }; return port != nil }
        guard let port else {
            process.terminate()
            throw SimulatorFailed()
        }
        self.port = port
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Every request logged so far.
    var requests: [Request] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    /// The most requests one supplier received within any one second.
    var mostRequestsInOneSecond: Int {
        var worst = 0
        for (_, requests) in Dictionary(grouping: requests, by: \.supplier) {
            let times = requests.map(\.t).sorted()
            var first = 0
            for (last, time) in times.enumerated() {
                while time - times[first] >= 1 { first += 1 }
                worst = max(worst, last - first + 1)
            }
        }
        return worst
    }

    /// A pipeline file that loads `suppliers` from this simulator into `database` with the
    /// reference schema and transforms, and the limits of `Pipelines/supplier-endpoints.yaml`.
    func pipeline(in dir: TemporaryDirectory, suppliers: [String], database: String, auth: String? = nil) throws -> String {
        let reference = try String(contentsOf: packageRoot.appendingPathComponent("Pipelines/supplier-endpoints.yaml"), encoding: .utf8)
        let endpoints = suppliers.map { name in
            "    - { name: \(name), url: http://127.0.0.1:\(port)/\(name)" + (auth.map { ", auth: { bearer_env: \($0) }" } ?? "") + " }"
        }.joined(separator: "\n")
        var lines = reference.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { $0.hasPrefix("    - { name: supplier-") }
        let at = lines.firstIndex(of: "  endpoints:")! + 1
        lines.insert(endpoints, at: at)
        let text = lines.joined(separator: "\n")
            .replacingOccurrences(of: "pipeline: supplier-endpoints", with: "pipeline: supplier-nightly")
            .replacingOccurrences(of: "database: ../data/staging-endpoints.sqlite", with: "database: \(database)")
        let path = dir.path("endpoints-\(UUID().uuidString).yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

struct SimulatorFailed: Error {}

/// The supplier folders a scenario generated into `dir/suppliers`, by name.
func supplierNames(_ dir: TemporaryDirectory) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path("suppliers")).filter { !$0.hasPrefix(".") }.sorted()
}
