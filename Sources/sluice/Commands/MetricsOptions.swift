import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import SluiceApp
import SluiceCore
import SluiceObservability
import Synchronization

/// `--metrics-address` and `--metrics-file`: how a run shows what it is doing.
struct MetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Serve /metrics (Prometheus text), /status (JSON) and /ready over HTTP on this address; port 0 \
        picks a free port and prints it; ':PORT' listens on every interface; 'off' serves nothing. Off \
        unless given for `run`; \(MetricsOptions.streamDefault) for `stream`, where a port in use is \
        reported and the stream goes on without it. Only loopback unless another host is named.
        """, valueName: "host:port"))
    var metricsAddress: String?

    @Option(help: ArgumentHelp("Write the run's metrics in Prometheus text format to this file when it ends.",
                               valueName: "path"))
    var metricsFile: String?

    static let streamDefault = "127.0.0.1:9464"

    func validate() throws {
        if let metricsAddress, metricsAddress != "off", MonitorAddress(parsing: metricsAddress) == nil {
            throw ValidationError("--metrics-address \(metricsAddress) is not host:port (e.g. 127.0.0.1:9464, [::1]:0) or off")
        }
    }

    /// The address to serve, given the command's default.
    func address(default fallback: String?) -> MonitorAddress? {
        guard let text = metricsAddress ?? fallback, text != "off" else { return nil }
        return MonitorAddress(parsing: text)
    }

    /// Bootstraps the metrics once for the process and adds the observers and the server the
    /// options ask for; returns the registry when anything reads it.
    func start(pipeline: String, mode: String, defaultAddress: String?, into options: inout RunOptions) -> PrometheusCollectorRegistry? {
        let address = address(default: defaultAddress)
        guard metricsFile != nil || address != nil else { return nil }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusFactory(registry: registry))
        options.observers.append(SluiceMetrics(pipeline: pipeline, version: sluiceVersion))
        guard let address else { return registry }
        if !isLoopbackHost(address.host) {
            printError("warning: /metrics, /status and /ready are served on \(address), beyond this machine, without "
                       + "authentication: whoever reaches it sees supplier names, file counts and errors")
        }
        let board = StatusBoard(pipeline: pipeline, mode: mode)
        options.observers.append(board)
        let flag = ListeningFlag()
        let stop = options.stop
        options.services.append(MonitorServer(address: address, registry: registry, board: board).service(
            logger: options.logger, required: metricsAddress != nil,
            onListening: { port in
                printError("serving /metrics, /status and /ready on http://\(MonitorAddress(host: address.host, port: port))")
                flag.set()
            },
            onUnavailable: { failure in
                printError("\(failure); going on without them (--metrics-address chooses another, or off)")
                flag.set()
            }))
        options.beforeStart = { try await flag.wait(unless: stop) }
        return registry
    }

    /// Writes the registry's text beside the target and renames it, so a reader never sees half a file.
    func write(_ registry: PrometheusCollectorRegistry?) {
        guard let metricsFile, let registry else { return }
        let url = URL(fileURLWithPath: metricsFile)
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        do {
            try Data(registry.emitToBuffer()).write(to: partial)
            _ = try FileManager.default.replaceItemAt(url, withItemAt: partial)
        } catch {
            printError("cannot write the metrics to \(metricsFile): \(error)")
        }
    }
}

/// Set once the server listens; the pipeline waits for it, so a port in use fails the run
/// before any file starts.
final class ListeningFlag: Sendable {
    private let listening = Atomic<Bool>(false)

    func set() { listening.store(true, ordering: .releasing) }

    /// Returns once set, or once a stop is requested.
    /// - Throws: `CancellationError` when the group gives up first (the server failed).
    func wait(unless stop: StopRequest) async throws {
        while !listening.load(ordering: .acquiring) && !stop.isRequested { try await Task.sleep(for: .milliseconds(5)) }
    }
}

/// The version `sluice_build_info` reports.
let sluiceVersion = "0.18.0"
