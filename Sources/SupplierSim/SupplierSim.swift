import ArgumentParser
import Foundation
import Hummingbird
import Logging

/// `sluice-supplier-sim`: serves a folder of supplier folders (a `sluice sample` tree's
/// `suppliers`) as HTTP supplier endpoints on one port, `/<supplier>/files` each, with the
/// throttling, latency, faults and contention of real supplier servers.
@main
struct SupplierSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-supplier-sim",
        abstract: "Serve supplier folders as throttled, faulty HTTP endpoints.",
        discussion: """
            GET /<supplier>/files?after=<cursor>&limit=<n> lists a supplier's files by name; \
            GET /<supplier>/files/<name> downloads one, with Range, If-Range and a strong ETag. \
            Every request is logged as a JSON line with its time.
            """)

    @Option(help: "The folder whose subdirectories are the suppliers.")
    var root: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "Write the port listened on to this file once listening.")
    var portFile: String?

    @Option(help: "Requests each supplier answers in any 1 s window; more get 429 with Retry-After (0: no limit).")
    var rate = 3.0

    @Option(help: "Milliseconds before each answer.")
    var latencyMs = 20.0

    @Option(help: "Bytes per second each body is sent at (0: as fast as possible).")
    var bandwidth = 0.0

    @Option(help: "Share of requests answered 500.")
    var errorShare = 0.0

    @Option(help: "Share of downloads whose body stops short (the connection closes).")
    var cutShare = 0.0

    @Flag(help: "Cut the first download of every file, whatever --cut-share says (tests use it to break a download for sure).")
    var cutFirstDownload = false

    @Option(help: "Where a cut body stops, as a share of it (default: anywhere from 10% to 90%).")
    var cutAt: Double?

    @Option(help: "Requests in flight per supplier past which every request of the supplier slows down (0: never).")
    var contention = 0

    @Option(help: "How much each request past --contention slows the supplier's requests (0.5: 50% slower each).")
    var contentionPenalty = 0.5

    @Option(help: "An environment variable with the bearer token every request must carry (401 without).")
    var tokenEnv: String?

    @Option(help: "Most entries per listing page, whatever the request's limit asks.")
    var pageSize = 10_000

    @Option(help: "Break the listing contract: cycling-cursor (the cursors go back), empty-pages (empty pages that never end).")
    var listingFault: ListingFault?

    @Option(help: "Send the first download of every file at this many bytes per second, a few bytes at a time.")
    var trickleBytesPerSecond: Double?

    @Option(help: "Answer every request 302 to this base followed by the request's path and query: another server (http://host:port), or a path on this one (/moved) under which it serves the suppliers.")
    var redirectTo: String?

    @Option(help: "Write one JSON line per request to this file: its time, supplier, path, range, status, body length and whether the body is cut.")
    var log: String?

    @Option(help: "Seed of the fault draws.")
    var seed: UInt64 = 1

    func run() async throws {
        var token: String?
        if let tokenEnv {
            guard let value = ProcessInfo.processInfo.environment[tokenEnv], !value.isEmpty else {
                throw ValidationError("the environment variable \(tokenEnv) is not set")
            }
            token = value
        }
        var settings = Settings(rate: rate, latency: latencyMs / 1000, bandwidth: bandwidth, errorShare: errorShare,
                                cutShare: cutShare, cutFirstDownload: cutFirstDownload, cutAt: cutAt, contention: contention, contentionPenalty: contentionPenalty,
                                token: token)
        settings.pageSize = max(1, pageSize)
        settings.listingFault = listingFault
        settings.trickle = trickleBytesPerSecond
        settings.redirectTo = redirectTo
        let requestLog = try log.map { try RequestLog(path: $0) }
        let suppliers = Suppliers(root: URL(fileURLWithPath: root), settings: settings, log: requestLog, seed: seed)
        let router = Router()
        router.get("**") { request, _ in try await suppliers.answer(request) }
        var logger = Logger(label: "sluice-supplier-sim")
        logger.logLevel = .warning
        let portFile = portFile
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "sluice-supplier-sim"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                if let portFile { try? "\(bound)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
                FileHandle.standardError.write(Data("serving \(root) on \(channel.localAddress?.ipAddress ?? "?"):\(bound)\n".utf8))
            },
            logger: logger)
        try await application.runService()
    }
}
