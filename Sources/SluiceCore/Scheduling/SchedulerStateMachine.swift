import DequeModule

/// Decides which file starts next, under every limit at once: the global cap, per-supplier
/// caps, staggered group starts, spacing between a supplier's starts, a token bucket per
/// supplier, retry backoff and a circuit breaker per supplier.
///
/// Pure state: the engine asks `next(now:)`, starts what it is told, and reports each finish.
/// Suppliers are served round-robin and each supplier's files in the order given, so a
/// supplier with thousands of files cannot starve one with a few.
public struct SchedulerStateMachine: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Action: Equatable, Sendable {
        /// Start `file` (an index the caller gave) of `supplier` now.
        case start(file: Int, supplier: Int)
        /// Nothing can start yet: wait for a finish, or until the instant (a group opening,
        /// a token, a retry or a breaker closing).
        case wait(until: Instant?)
        /// Every file has been started and none waits for a retry.
        case drained
    }

    /// One supplier's limits.
    public struct SupplierLimits: Sendable {
        public var cap: Int
        /// Start group; groups open `stagger` apart, in order.
        public var group: Int
        public var rate: TokenBucket?

        public init(cap: Int, group: Int, rate: TokenBucket? = nil) {
            self.cap = cap
            self.group = group
            self.rate = rate
        }
    }

    /// What became of a started file.
    public enum Outcome: Sendable, Equatable {
        case succeeded
        /// Failed for good (or out of attempts): counts toward the breaker, not retried.
        case failed
        /// Failed for a passing reason: retried after backoff while attempts remain.
        case transientFailure(retryAfter: Duration?)
    }

    struct Supplier: Sendable {
        var limits: SupplierLimits
        var pending: Deque<Int>
        var retries: [(file: Int, notBefore: Instant)] = []
        var active = 0
        var lastStart: Instant?
        var consecutiveFailures = 0
        var pausedUntil: Instant?
        var halfOpen = false
    }

    private var suppliers: [Supplier]
    private var groupOpenedAt: [Instant?]
    private let globalCap: Int
    private let stagger: Duration
    private let spacing: Duration
    private let retry: RetryPolicy
    private let breaker: BreakerPolicy?
    private var random: SplitMix64
    private var cursor = 0
    private var attempts: [Int: Int] = [:]
    public private(set) var activeTotal = 0
    /// Each time a supplier's breaker opened: (supplier, when, until).
    public private(set) var breakerOpenings: [(supplier: Int, at: Instant, until: Instant)] = []

    /// - Parameters:
    ///   - files: per supplier, its file indices in the order they should start.
    ///   - suppliers: per supplier, its cap, start group and rate limit.
    ///   - spacing: the least time between two starts of the same supplier.
    public init(files: [[Int]], suppliers limits: [SupplierLimits], globalCap: Int, stagger: Duration,
                spacing: Duration = .zero, retry: RetryPolicy = RetryPolicy(maxAttempts: 1),
                breaker: BreakerPolicy? = nil, seed: UInt64 = 1) {
        precondition(files.count == limits.count && globalCap > 0)
        // Groups are renumbered densely over suppliers that have work, so an idle group delays nobody.
        let busyGroups = Set(zip(files, limits).filter { !$0.0.isEmpty }.map { $0.1.group }).sorted()
        let dense = Dictionary(uniqueKeysWithValues: busyGroups.enumerated().map { ($1, $0) })
        suppliers = zip(files, limits).map { files, limits in
            var limits = limits
            limits.cap = max(1, limits.cap)
            limits.group = dense[limits.group] ?? -1
            return Supplier(limits: limits, pending: Deque(files))
        }
        groupOpenedAt = Array(repeating: nil, count: busyGroups.count)
        self.globalCap = globalCap
        self.stagger = stagger
        self.spacing = spacing
        self.retry = retry
        self.breaker = breaker
        random = SplitMix64(seed: seed)
    }

    /// Groups of `groupSize` suppliers in order, no rate limit, no retries.
    public init(files: [[Int]], caps: [Int], globalCap: Int, groupSize: Int, stagger: Duration) {
        precondition(files.count == caps.count && groupSize > 0)
        var group = -1, inGroup = groupSize
        let limits = zip(files, caps).map { files, cap -> SupplierLimits in
            if !files.isEmpty {
                if inGroup == groupSize { group += 1; inGroup = 0 }
                inGroup += 1
            }
            return SupplierLimits(cap: cap, group: files.isEmpty ? -1 : group)
        }
        self.init(files: files, suppliers: limits, globalCap: globalCap, stagger: stagger)
    }

    /// Files not yet started, retries included.
    public var pendingCount: Int { suppliers.reduce(0) { $0 + $1.pending.count + $1.retries.count } }

    /// What to do now.
    public mutating func next(now: Instant) -> Action {
        guard pendingCount > 0 else { return .drained }
        guard activeTotal < globalCap else { return .wait(until: nil) }
        var earliest: Instant?
        for step in 0..<suppliers.count {
            let index = (cursor + step) % suppliers.count
            guard let readyAt = readyTime(of: index, now: now) else { continue }
            guard readyAt <= now else {
                earliest = min(earliest ?? readyAt, readyAt)
                continue
            }
            return start(index, now: now)
        }
        return .wait(until: earliest)
    }

    /// A file of `supplier` has finished successfully, freeing its slot.
    public mutating func finished(supplier: Int) {
        finished(file: nil, supplier: supplier, outcome: .succeeded, now: .now)
    }

    /// A file has finished one way or another, freeing its slot; a passing failure is retried
    /// after backoff while attempts remain, and failures may open the supplier's breaker.
    /// Returns whether the file was queued to be tried again.
    @discardableResult
    public mutating func finished(file: Int?, supplier index: Int, outcome: Outcome, now: Instant) -> Bool {
        var retried = false
        precondition(suppliers[index].active > 0, "slot released twice")
        suppliers[index].active -= 1
        activeTotal -= 1
        switch outcome {
        case .succeeded:
            suppliers[index].consecutiveFailures = 0
            suppliers[index].halfOpen = false
        case .failed, .transientFailure:
            suppliers[index].consecutiveFailures += 1
            if case .transientFailure(let retryAfter) = outcome, let file, (attempts[file] ?? 1) < retry.maxAttempts {
                let delay = retry.delay(afterAttempt: attempts[file] ?? 1, retryAfter: retryAfter, random: &random)
                suppliers[index].retries.append((file, now + delay))
                retried = true
            }
            if let breaker, suppliers[index].halfOpen || suppliers[index].consecutiveFailures >= breaker.failures {
                let until = now + breaker.coolDown
                suppliers[index].pausedUntil = until
                suppliers[index].consecutiveFailures = 0
                suppliers[index].halfOpen = true
                breakerOpenings.append((index, now, until))
            }
        }
        // A file that is not retried does not start again: its count goes, or a long run keeps one per file.
        if !retried, let file { attempts[file] = nil }
        return retried
    }

    /// Open files of one supplier.
    public func active(supplier: Int) -> Int { suppliers[supplier].active }

    /// When the supplier could start its next file, or nil if it has none or is at its cap.
    private mutating func readyTime(of index: Int, now: Instant) -> Instant? {
        let supplier = suppliers[index]
        // Half-open after a pause: one file tries before the supplier gets its full cap back.
        guard supplier.active < (supplier.halfOpen ? 1 : supplier.limits.cap) else { return nil }
        let nextRetry = supplier.retries.map(\.notBefore).min()
        let fileReady: Instant
        if !supplier.pending.isEmpty {
            fileReady = now
        } else if let nextRetry {
            fileReady = nextRetry
        } else {
            return nil
        }
        guard let opens = opening(of: supplier.limits.group, now: now) else { return nil }
        var ready = max(fileReady, opens)
        if let paused = supplier.pausedUntil { ready = max(ready, paused) }
        if let last = supplier.lastStart { ready = max(ready, last + spacing) }
        if suppliers[index].limits.rate != nil {
            ready = max(ready, suppliers[index].limits.rate!.availableAt(now: now))
        }
        return ready
    }

    private mutating func start(_ index: Int, now: Instant) -> Action {
        let group = suppliers[index].limits.group
        if groupOpenedAt[group] == nil { groupOpenedAt[group] = now }
        let file: Int
        if let due = suppliers[index].retries.indices.filter({ suppliers[index].retries[$0].notBefore <= now })
            .min(by: { suppliers[index].retries[$0].notBefore < suppliers[index].retries[$1].notBefore }) {
            file = suppliers[index].retries.remove(at: due).file
        } else if let first = suppliers[index].pending.popFirst() {
            file = first
        } else {
            preconditionFailure("started a supplier with nothing ready")
        }
        suppliers[index].active += 1
        suppliers[index].lastStart = now
        suppliers[index].limits.rate?.take(now: now)
        attempts[file, default: 0] += 1
        activeTotal += 1
        cursor = (index + 1) % suppliers.count
        return .start(file: file, supplier: index)
    }

    /// When a group may first start: now for the first, `stagger` after the previous group's
    /// first start for the others, and not before the previous group has started at all.
    private func opening(of group: Int, now: Instant) -> Instant? {
        guard group >= 0 else { return nil }
        if let opened = groupOpenedAt[group] { return opened }
        if group == 0 { return now }
        return groupOpenedAt[group - 1].map { $0 + stagger }
    }
}
