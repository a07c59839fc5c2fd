import Foundation
import Prometheus
import SluiceApp
import SluiceCore
import SluiceObservability
import Testing

@Suite struct MetricsTests {
    /// The sum of every sample of `name` whose labels include all of `labels`.
    private func total(_ text: String, _ name: String, _ labels: [String] = []) -> Double {
        text.split(separator: "\n").reduce(0) { sum, line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "),
                  labels.allSatisfy({ line.contains($0) }),
                  let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { return sum }
            return sum + value
        }
    }

    private func runWithMetrics(_ dir: TemporaryDirectory) async throws -> (text: String, database: String, summary: RunSummary, cap: Int) {
        _ = try generateScenario(into: dir.url, suppliers: 3, files: 4)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(suppliers: dir.path("suppliers"), database: database)
        let registry = PrometheusCollectorRegistry()
        var options = RunOptions()
        options.observers = [SluiceMetrics(pipeline: definition.name, version: "test", factory: PrometheusFactory(registry: registry))]
        let summary = try await runPipeline(definition: definition, plan: plan, options: options)
        return (registry.emitToString(), database, summary, definition.limits.perSupplierConcurrency)
    }

    @Test func everyCountEqualsTheStores() async throws {
        let dir = try TemporaryDirectory()
        let (text, database, summary, cap) = try await runWithMetrics(dir)

        let loaded = try scalar(database, "SELECT COUNT(*) FROM staging_orders")
        #expect(loaded > 0)
        #expect(total(text, "sluice_rows_total", [#"outcome="loaded""#]) == Double(loaded))
        let quarantined = try scalar(database, "SELECT COUNT(*) FROM sluice_quarantine WHERE kind = 'row'")
        #expect(quarantined > 0)
        #expect(total(text, "sluice_rows_total", [#"outcome="quarantined""#]) == Double(quarantined))
        #expect(total(text, "sluice_rows_total") == Double(summary.total.rows.read), "read = loaded + quarantined + filtered")
        let done = try scalar(database, "SELECT COUNT(*) FROM sluice_files WHERE state = 'done'")
        #expect(total(text, "sluice_files_total", [#"outcome="done""#]) == Double(done))
        #expect(total(text, "sluice_slots_in_use") == 0, "every slot is free after the run")
        #expect(total(text, "sluice_slots_cap") == Double(summary.suppliers.count * cap))
        #expect(total(text, "sluice_file_duration_seconds_count") == Double(done))
        #expect(total(text, "sluice_commit_duration_seconds_count") >= 1)
        #expect(total(text, "sluice_last_commit_timestamp_seconds") > 1_700_000_000)
        #expect(total(text, "sluice_build_info") == 1)
        #expect(!text.contains(".csv"), "no file name is a label")
    }

    @Test func promtoolFindsNoProblem() async throws {
        let dir = try TemporaryDirectory()
        let (text, _, _, _) = try await runWithMetrics(dir)
        let check = try runTool("/usr/bin/promtool", ["check", "metrics"], input: text)
        #expect(check.status == 0, "promtool check metrics: \(check.output)")
        #expect(text.contains("# HELP sluice_rows_total"))
    }
}
