import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Where `/metrics`, `/status` and `/ready` are served: a host and a port (0 picks a free one).
public struct MonitorAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT`, `[IPv6]:PORT`, or `:PORT` for every interface; nil when it is none of these.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The monitoring endpoints of a run, as a `Service` that joins the pipeline's `ServiceGroup`:
/// `/metrics` in Prometheus text, `/status` as JSON, and `/ready` (200 once the run has begun,
/// 503 before). GET only; every other method or path is answered 404 or 405.
public struct MonitorServer {
    public let address: MonitorAddress
    public let registry: PrometheusCollectorRegistry
    public let board: StatusBoard

    public init(address: MonitorAddress, registry: PrometheusCollectorRegistry, board: StatusBoard) {
        self.address = address
        self.registry = registry
        self.board = board
    }

    /// The server; `onListening` is told the port it bound (the chosen one when asked for 0).
    /// When the address was not asked for (`required` false), a server that cannot listen tells
    /// `onUnavailable` and the run goes on without it.
    public func service(logger: Logger, required: Bool, onListening: @escaping @Sendable (Int) -> Void,
                        onUnavailable: @escaping @Sendable (MonitorError) -> Void) -> some Service {
        let router = Router()
        let registry = registry, board = board, address = address
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/status") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: board.json())))
        }
        router.get("/ready") { _, _ in
            let ready = board.isReady
            return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "starting\n")))
        }
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port),
                                                    serverName: "sluice"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? address.port) },
            logger: quiet)
        return MonitorService(application: application, address: address, required: required, onUnavailable: onUnavailable)
    }
}

/// The server could not listen or stopped with an error.
public struct MonitorError: Error, CustomStringConvertible {
    public let address: MonitorAddress
    public let underlying: any Error

    public var description: String {
        let reason = (underlying as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(underlying)"
        return "cannot serve /metrics on \(address): \(reason)"
    }
}

/// The application, with its failures named after the address it was to serve.
private struct MonitorService<App: Service>: Service {
    let application: App
    let address: MonitorAddress
    let required: Bool
    let onUnavailable: @Sendable (MonitorError) -> Void

    func run() async throws {
        do {
            try await application.run()
        } catch {
            let failure = MonitorError(address: address, underlying: error)
            guard !required, !(error is CancellationError) else { throw failure }
            onUnavailable(failure)
            // Ending now would end the group: stay until the pipeline is done.
            try? await gracefulShutdown()
        }
    }
}
