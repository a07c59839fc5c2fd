/// The read side of `sluice report`: what a store kept of one run. Blocking, as the report
/// is read by a command and not by the engine.
public protocol RunReportSource: AnyObject {
    /// Run `id`, or the latest run when nil; nil when there is no such run.
    /// - Throws: `StoreError`.
    func runRecord(_ id: Int64?) throws -> RunRecord?
    /// Every file the run started and finished, in the order they started.
    /// - Throws: `StoreError`.
    func reportedFiles(run id: Int64) throws -> [ReportedFile]
    /// The latency percentiles the run kept; none for a run from before they were kept.
    /// - Throws: `StoreError`.
    func stageLatencies(run id: Int64) throws -> [StageLatency]
    /// Calls `body` with each quarantine entry of the run's files during the run, oldest first.
    /// - Throws: `StoreError`.
    func forEachQuarantined(in run: RunRecord, _ body: (QuarantineEntry) -> Void) throws
    /// Every file's header as it was read, per supplier in delivery order (the order files
    /// were registered); none for files read before headers were kept.
    /// - Throws: `StoreError`.
    func headerSightings() throws -> [HeaderSighting]
}

extension RunReportSource {
    /// The commonest kinds of quarantine reason of the run, with up to `examples` rows each.
    /// - Throws: `StoreError`.
    public func quarantineReasons(run: RunRecord, top: Int, examples: Int) throws -> [QuarantineReason] {
        var reasons: [String: QuarantineReason] = [:]
        try forEachQuarantined(in: run) { entry in
            let kind = QuarantineReason.kind(of: entry.reason)
            var reason = reasons[kind] ?? QuarantineReason(reason: kind, count: 0, examples: [])
            reason.count += 1
            if reason.examples.count < examples { reason.examples.append(QuarantineExample(entry)) }
            reasons[kind] = reason
        }
        return Array(reasons.values.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }.prefix(top))
    }

    /// Stages in the engine's order.
    public static func inStageOrder(_ latencies: [StageLatency]) -> [StageLatency] {
        latencies.sorted { (StageLatency.stages.firstIndex(of: $0.stage) ?? 99) < (StageLatency.stages.firstIndex(of: $1.stage) ?? 99) }
    }
}
