import ArgumentParser
import Foundation
import Metrics
import Prometheus
import SluiceCore
import SluiceObservability

/// `--metrics-file`: the run's metrics in Prometheus text, written when it ends (the form
/// node_exporter's textfile collector reads for batch jobs).
struct MetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the run's metrics in Prometheus text format to this file when it ends.",
                               valueName: "path"))
    var metricsFile: String?

    /// The metrics observer, bootstrapped once for the process; nil without `--metrics-file`.
    func start(pipeline: String) -> (observer: SluiceMetrics, registry: PrometheusCollectorRegistry)? {
        guard metricsFile != nil else { return nil }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusFactory(registry: registry))
        return (SluiceMetrics(pipeline: pipeline, version: sluiceVersion), registry)
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

/// The version `sluice_build_info` reports.
let sluiceVersion = "0.17.0"
