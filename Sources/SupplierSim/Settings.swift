/// How the simulated suppliers behave; every supplier alike.
struct Settings: Sendable {
    var rate: Double
    /// Seconds before each answer.
    var latency: Double
    /// Bytes per second per body; 0 for no limit.
    var bandwidth: Double
    var errorShare: Double
    var cutShare: Double
    var cutFirstDownload: Bool
    /// Where a cut body stops, as a share of it; nil for anywhere in its middle.
    var cutAt: Double?
    var contention: Int
    var contentionPenalty: Double
    var token: String?
    /// Most entries per listing page, whatever `limit` asks.
    var pageSize = 10_000
    var listingFault: ListingFault?
    /// Bytes per second of every file's first download, a few at a time; nil for none.
    var trickle: Double?
    /// Every request is answered 302 to this base and the request's path: another server, or
    /// a path on this one under which it serves.
    var redirectTo: String?

    /// How much slower a supplier's requests go with `inFlight` of them open at once.
    func slowdown(inFlight: Int) -> Double {
        guard contention > 0 else { return 1 }
        return 1 + contentionPenalty * Double(max(0, inFlight - contention))
    }
}
