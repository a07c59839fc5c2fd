import DequeModule

/// Decides which file starts next under the global cap, per-supplier caps and staggered group starts.
///
/// Pure state: the engine asks `next(now:)`, starts what it is told, and reports each finish.
/// Suppliers are served round-robin and each supplier's files oldest first, so a supplier
/// with thousands of files cannot starve one with a few.
public struct SchedulerStateMachine: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public enum Action: Equatable, Sendable {
        /// Start `file` (an index the caller gave) of `supplier` now.
        case start(file: Int, supplier: Int)
        /// Nothing can start yet: wait for a finish, or until the instant (a group opening).
        case wait(until: Instant?)
        /// Every file has been started.
        case drained
    }

    struct Supplier: Sendable {
        var cap: Int
        var group: Int
        var pending: Deque<Int>
        var active = 0
    }

    private var suppliers: [Supplier]
    private var groupOpenedAt: [Instant?]
    private let globalCap: Int
    private let stagger: Duration
    private var cursor = 0
    public private(set) var activeTotal = 0

    /// - Parameters:
    ///   - files: per supplier, its file indices in the order they should start.
    ///   - caps: per supplier, the most files it may have open at once.
    ///   - groupSize: suppliers per start group, in supplier order.
    public init(files: [[Int]], caps: [Int], globalCap: Int, groupSize: Int, stagger: Duration) {
        precondition(files.count == caps.count && globalCap > 0 && groupSize > 0)
        var group = -1, inGroup = groupSize
        suppliers = zip(files, caps).map { files, cap in
            // Groups are formed from suppliers that have work, so an idle supplier delays nobody.
            if !files.isEmpty {
                if inGroup == groupSize { group += 1; inGroup = 0 }
                inGroup += 1
            }
            return Supplier(cap: max(1, cap), group: files.isEmpty ? -1 : group, pending: Deque(files))
        }
        groupOpenedAt = Array(repeating: nil, count: max(group + 1, 0))
        self.globalCap = globalCap
        self.stagger = stagger
    }

    /// Files not yet started.
    public var pendingCount: Int { suppliers.reduce(0) { $0 + $1.pending.count } }

    /// What to do now.
    public mutating func next(now: Instant) -> Action {
        guard pendingCount > 0 else { return .drained }
        guard activeTotal < globalCap else { return .wait(until: nil) }
        var earliestOpening: Instant?
        for step in 0..<suppliers.count {
            let index = (cursor + step) % suppliers.count
            let supplier = suppliers[index]
            guard !supplier.pending.isEmpty, supplier.active < supplier.cap else { continue }
            guard let opensAt = opening(of: supplier.group, now: now) else { continue }
            guard opensAt <= now else {
                earliestOpening = min(earliestOpening ?? opensAt, opensAt)
                continue
            }
            if groupOpenedAt[supplier.group] == nil { groupOpenedAt[supplier.group] = now }
            let file = suppliers[index].pending.removeFirst()
            suppliers[index].active += 1
            activeTotal += 1
            cursor = (index + 1) % suppliers.count
            return .start(file: file, supplier: index)
        }
        return .wait(until: earliestOpening)
    }

    /// A file of `supplier` has finished (on any path), freeing its slot.
    public mutating func finished(supplier: Int) {
        precondition(suppliers[supplier].active > 0, "slot released twice")
        suppliers[supplier].active -= 1
        activeTotal -= 1
    }

    /// Open files of one supplier.
    public func active(supplier: Int) -> Int { suppliers[supplier].active }

    /// When a group may first start: now for the first, `stagger` after the previous group's
    /// first start for the others, and not before the previous group has started at all.
    private func opening(of group: Int, now: Instant) -> Instant? {
        if let opened = groupOpenedAt[group] { return opened }
        if group == 0 { return now }
        return groupOpenedAt[group - 1].map { $0 + stagger }
    }
}
