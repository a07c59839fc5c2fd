import DequeModule

/// Decides which file starts next, under every limit at once: the global cap, per-supplier
/// caps, staggered group starts, spacing between a supplier's starts, a token bucket per
/// supplier, retry backoff and a circuit breaker per supplier.
///
/// Pure state: the engine hands it files as they are found (`enqueue`), asks `next(now:)`,
/// starts what it is told, and reports each finish. A batch closes the feed once its listing is
/// in and ends `drained`; a stream keeps it open and goes `idle` between arrivals. Suppliers
/// are served round-robin and each supplier's files in the order they arrived, so a supplier
/// with thousands of files cannot starve one with a few.
///
/// Start groups open `stagger` apart: a group with work opens (makes its first start) no
/// sooner than `stagger` after the latest opening of any group, and groups waiting to open
/// open in the order they began to wait (those that began together, as a batch's do, in group order). A group that
/// has had nothing to do for `stagger` closes; when files reach it again it waits to open
/// anew under the same rule. A trickle of files into an open group so keeps it open, and a
/// group that began waiting first is never overtaken, however busy the others are.
public struct SchedulerStateMachine: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Action: Equatable, Sendable {
        /// Start `file` (the caller's stable id for it) of `supplier` now.
        case start(file: Int, supplier: Int)
        /// Files wait, but none can start yet: wait for a finish, or until the instant (a
        /// group opening, a token, a retry or a breaker closing).
        case wait(until: Instant?)
        /// Nothing waits to start; more files may still arrive (the feed is open), and files in
        /// flight may come back for a retry.
        case idle
        /// The feed is closed, every file has been started and none waits for a retry.
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
        /// Did not start after all: another worker holds the file or finished it, or its
        /// supplier has no room across workers. Neither an attempt nor a failure. The file is
        /// tried again at `retryAt` (nil: never, it is done); `holdSupplier` keeps the
        /// supplier's other files back until then too.
        case notStarted(retryAt: Instant?, holdSupplier: Bool)
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
        /// No room for the supplier across workers until then.
        var heldUntil: Instant?

        var hasWork: Bool { active > 0 || !pending.isEmpty || !retries.isEmpty }
    }

    private var suppliers: [Supplier]
    /// Groups open now, and when each opened.
    private var groupOpenedAt: [Int: Instant] = [:]
    /// The latest opening of any group: the next one waits `stagger` after it.
    private var lastOpening: Instant?
    /// Open groups with nothing to do, since when: each closes once idle for `stagger`.
    private var groupIdleSince: [Int: Instant] = [:]
    /// Closed groups with work, by when they began to wait: they open in that order. Groups
    /// that began to wait between two calls of `next` share a ticket and open in group order.
    private var waitingTicket: [Int: Int] = [:]
    private var nextTicket = 0
    /// Whether more files may be enqueued.
    public private(set) var feedOpen = true
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

    /// A scheduler with no files yet and an open feed.
    /// - Parameters:
    ///   - suppliers: per supplier, its cap, start group and rate limit.
    ///   - spacing: the least time between two starts of the same supplier.
    public init(suppliers limits: [SupplierLimits], globalCap: Int, stagger: Duration,
                spacing: Duration = .zero, retry: RetryPolicy = RetryPolicy(maxAttempts: 1),
                breaker: BreakerPolicy? = nil, seed: UInt64 = 1) {
        precondition(globalCap > 0)
        suppliers = limits.map { limits in
            var limits = limits
            limits.cap = max(1, limits.cap)
            return Supplier(limits: limits, pending: [])
        }
        self.globalCap = globalCap
        self.stagger = stagger
        self.spacing = spacing
        self.retry = retry
        self.breaker = breaker
        random = SplitMix64(seed: seed)
    }

    /// A batch: every file known up front, and the feed closed.
    /// - Parameter files: per supplier, its file ids in the order they should start.
    public init(files: [[Int]], suppliers limits: [SupplierLimits], globalCap: Int, stagger: Duration,
                spacing: Duration = .zero, retry: RetryPolicy = RetryPolicy(maxAttempts: 1),
                breaker: BreakerPolicy? = nil, seed: UInt64 = 1) {
        precondition(files.count == limits.count)
        self.init(suppliers: limits, globalCap: globalCap, stagger: stagger, spacing: spacing, retry: retry,
                  breaker: breaker, seed: seed)
        for (supplier, ids) in files.enumerated() {
            for file in ids { enqueue(file: file, supplier: supplier) }
        }
        closeFeed()
    }

    /// A file has arrived: it starts after the supplier's files that arrived before it.
    public mutating func enqueue(file: Int, supplier: Int) {
        precondition(feedOpen, "a file enqueued after the feed closed")
        suppliers[supplier].pending.append(file)
        beginWaiting(group: suppliers[supplier].limits.group)
    }

    /// Suppliers the machine does not have yet, from a list whose first entries it has: a
    /// supplier that appeared while the feed is open joins with no files.
    public mutating func addSuppliers(_ all: [SupplierLimits]) {
        for var limits in all.dropFirst(suppliers.count) {
            limits.cap = max(1, limits.cap)
            suppliers.append(Supplier(limits: limits, pending: []))
        }
    }

    /// A file that finished goes back to be started again at `time`, neither an attempt nor a
    /// failure: its last commit was refused for a lease that no other worker took up.
    public mutating func requeue(file: Int, supplier: Int, at time: Instant) {
        suppliers[supplier].retries.append((file, time))
    }

    /// No more files will arrive: once the last one has started, `next` says `drained`.
    public mutating func closeFeed() { feedOpen = false }

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
        closeIdleGroups(now: now)
        nextTicket += 1
        guard pendingCount > 0 else { return feedOpen ? .idle : .drained }
        guard activeTotal < globalCap else { return .wait(until: nil) }
        var earliest: Instant?
        let nextToOpen = firstGroupWaitingToOpen
        for step in 0..<suppliers.count {
            let index = (cursor + step) % suppliers.count
            guard let readyAt = readyTime(of: index, now: now, nextToOpen: nextToOpen) else { continue }
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
        case .notStarted(let retryAt, let holdSupplier):
            if let file { attempts[file] = max(0, (attempts[file] ?? 1) - 1) }
            if let retryAt, let file {
                suppliers[index].retries.append((file, retryAt))
                if holdSupplier { suppliers[index].heldUntil = retryAt }
                retried = true
            }
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
        let group = suppliers[index].limits.group
        if !isBusy(group: group) { groupIdleSince[group] = now }
        return retried
    }

    /// Open files of one supplier.
    public func active(supplier: Int) -> Int { suppliers[supplier].active }

    /// When the supplier could start its next file, or nil if it has none or is at its cap.
    private mutating func readyTime(of index: Int, now: Instant, nextToOpen: Int?) -> Instant? {
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
        guard let opens = opening(of: supplier.limits.group, now: now, nextToOpen: nextToOpen) else { return nil }
        var ready = max(fileReady, opens)
        if let paused = supplier.pausedUntil { ready = max(ready, paused) }
        if let held = supplier.heldUntil { ready = max(ready, held) }
        if let last = supplier.lastStart { ready = max(ready, last + spacing) }
        if suppliers[index].limits.rate != nil {
            ready = max(ready, suppliers[index].limits.rate!.availableAt(now: now))
        }
        return ready
    }

    private mutating func start(_ index: Int, now: Instant) -> Action {
        let group = suppliers[index].limits.group
        if groupOpenedAt[group] == nil {
            groupOpenedAt[group] = now
            lastOpening = now
            waitingTicket[group] = nil
        }
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

    /// When a group may start: at once while it is open; otherwise `stagger` after the latest
    /// opening, and only when no lower group waits to open before it.
    private func opening(of group: Int, now: Instant, nextToOpen: Int?) -> Instant? {
        if let opened = groupOpenedAt[group] { return opened }
        guard group == nextToOpen else { return nil }
        return lastOpening.map { $0 + stagger } ?? now
    }

    /// The closed group that began to wait first (the lowest on a tie).
    private var firstGroupWaitingToOpen: Int? {
        waitingTicket.min { ($0.value, $0.key) < ($1.value, $1.key) }?.key
    }

    /// A closed group that has work waits to open, from now on.
    private mutating func beginWaiting(group: Int) {
        guard groupOpenedAt[group] == nil, waitingTicket[group] == nil else { return }
        waitingTicket[group] = nextTicket
    }

    /// Closes the groups idle for `stagger`; an idle group that got work sooner stays open.
    private mutating func closeIdleGroups(now: Instant) {
        for group in groupIdleSince.keys.sorted() {
            if now - groupIdleSince[group]! >= stagger {
                groupIdleSince[group] = nil
                groupOpenedAt[group] = nil
                if isBusy(group: group) { beginWaiting(group: group) }
            } else if isBusy(group: group) {
                groupIdleSince[group] = nil
            }
        }
    }

    /// Whether any supplier of the group has a file open, waiting or due for a retry.
    private func isBusy(group: Int) -> Bool {
        suppliers.contains { $0.limits.group == group && $0.hasWork }
    }
}
