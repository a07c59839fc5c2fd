import Foundation
import SluiceApp
import SluiceCore
import SluiceSample
import SluiceSQLite
import Testing

/// The caps are proven from the recorded timeline, not from the scheduler's own word.
@Suite struct SchedulingTimelineTests {
    /// The most intervals open at one instant (a finish at t frees the slot before a start at t).
    func peakOverlap(_ timings: [FileTiming]) -> Int {
        var events: [(time: Double, delta: Int)] = []
        for timing in timings {
            events.append((timing.startedAt, 1))
            events.append((timing.finishedAt, -1))
        }
        events.sort { $0.time == $1.time ? $0.delta < $1.delta : $0.time < $1.time }
        var open = 0, peak = 0
        for (_, delta) in events {
            open += delta
            peak = max(peak, open)
        }
        return peak
    }

    @Test func capsAndStaggerHoldInTheRecordedTimeline() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 6, files: 8, size: 30_000)
        let database = dir.path("staging.sqlite")
        let (definition, plan) = try pipeline(
            suppliers: dir.path("suppliers"), database: database,
            ["limits.per_supplier_concurrency=2", "limits.max_concurrency=5", "limits.group_size=2",
             "limits.stagger=150ms", "source.batch_rows=50"])

        let summary = try await runPipeline(definition: definition, plan: plan)
        #expect(summary.total.files == 48)

        let timeline = try openWarehouse(definition).timeline()
        #expect(timeline.count == 48)
        #expect(peakOverlap(timeline) <= 5)
        let bySupplier = Dictionary(grouping: timeline, by: \.supplier)
        for (supplier, timings) in bySupplier {
            #expect(peakOverlap(timings) <= 2, "supplier \(supplier) exceeded its cap")
        }
        // Suppliers 1-2, 3-4 and 5-6 form the groups; each group's first start waits for the stagger.
        let firstStarts = (0..<3).map { group in
            (1...2).compactMap { bySupplier[String(format: "supplier-%02d", group * 2 + $0)]?.map(\.startedAt).min() }.min()!
        }
        #expect(firstStarts[1] - firstStarts[0] >= 0.150)
        #expect(firstStarts[2] - firstStarts[1] >= 0.150)
    }

    @Test func aSupplierOverrideCapsThatSupplierOnly() async throws {
        let dir = try TemporaryDirectory()
        _ = try generateScenario(into: dir.url, suppliers: 2, files: 10, size: 20_000)
        let database = dir.path("staging.sqlite")
        let yaml = """
            pipeline: capped
            source:
              suppliers:
                - { name: supplier-01, path: \(dir.path("suppliers/supplier-01")), concurrency: 1 }
                - { name: supplier-02, path: \(dir.path("suppliers/supplier-02")) }
              batch_rows: 40
            limits: { max_concurrency: 10, per_supplier_concurrency: 4 }
            schema:
              columns:
                - { name: order_id, type: integer, required: true }
            load: { database: \(database), table: t }
            """
        let definition = try DefinitionLoader.parse(yaml: yaml, baseDirectory: dir.url)
        let plan = try OutputPlan.compile(schema: definition.schema, steps: definition.transform)

        _ = try await runPipeline(definition: definition, plan: plan)

        let timeline = try openWarehouse(definition).timeline()
        #expect(peakOverlap(timeline.filter { $0.supplier == "supplier-01" }) == 1)
        #expect(peakOverlap(timeline.filter { $0.supplier == "supplier-02" }) <= 4)
    }
}
