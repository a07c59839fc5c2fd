/// How long one stage took over a run, as percentiles in seconds (`sluice report` shows them).
public struct StageLatency: Sendable, Equatable, Codable {
    /// `slot_wait`, `read`, `parse_validate`, `queue_wait`, `commit` or `file`.
    public var stage: String
    public var count: Int
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var max: Double

    public init(stage: String, count: Int, p50: Double, p95: Double, p99: Double, max: Double) {
        self.stage = stage
        self.count = count
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.max = max
    }

    /// The stages in the order a row meets them.
    public static let stages = ["slot_wait", "read", "parse_validate", "queue_wait", "commit", "file"]
}
