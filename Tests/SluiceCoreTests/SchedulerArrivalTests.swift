import Testing
@testable import SluiceCore

/// The scheduler fed over time, as a stream feeds it: files enqueued after it started, `idle`
/// between arrivals, and every limit holding while files keep coming.
@Suite struct SchedulerArrivalTests {
    typealias Instant = ContinuousClock.Instant

    func machine(groups: [Int], caps: [Int]? = nil, globalCap: Int = 8, stagger: Duration) -> SchedulerStateMachine {
        let caps = caps ?? groups.map { _ in 1 }
        return SchedulerStateMachine(suppliers: zip(groups, caps).map { .init(cap: $1, group: $0) },
                                     globalCap: globalCap, stagger: stagger)
    }

    @Test func anOpenFeedIsIdleUntilItCloses() {
        let t0 = ContinuousClock.now
        var scheduler = machine(groups: [0], stagger: .zero)
        #expect(scheduler.next(now: t0) == .idle)
        scheduler.enqueue(file: 41, supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 41, supplier: 0))
        #expect(scheduler.next(now: t0) == .idle, "nothing waits; the file in flight may still come back")
        scheduler.closeFeed()
        #expect(scheduler.next(now: t0) == .drained)
    }

    @Test func filesStartInArrivalOrderUnderTheCap() {
        let t0 = ContinuousClock.now
        var scheduler = machine(groups: [0], caps: [2], stagger: .zero)
        for file in [7, 3, 9] { scheduler.enqueue(file: file, supplier: 0) }
        #expect(scheduler.next(now: t0) == .start(file: 7, supplier: 0))
        #expect(scheduler.next(now: t0) == .start(file: 3, supplier: 0))
        #expect(scheduler.next(now: t0) == .wait(until: nil))
        scheduler.finished(supplier: 0)
        scheduler.enqueue(file: 1, supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 9, supplier: 0))
        scheduler.finished(supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 1, supplier: 0))
    }

    @Test func aBusyGroupTakesNewFilesWithoutWaiting() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        var scheduler = machine(groups: [0, 0], stagger: stagger)
        scheduler.enqueue(file: 1, supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 1, supplier: 0))
        scheduler.enqueue(file: 2, supplier: 1)
        #expect(scheduler.next(now: t0 + .milliseconds(5)) == .start(file: 2, supplier: 1), "its group is open")
    }

    @Test func aGroupThatWentIdleOpensAgainStaggerAfterTheLatestOpening() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        var scheduler = machine(groups: [0, 1], stagger: stagger)
        scheduler.enqueue(file: 1, supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 1, supplier: 0))
        scheduler.finished(supplier: 0)
        // Group 0 has gone idle; group 1 still opens no sooner than stagger after group 0 did.
        scheduler.enqueue(file: 2, supplier: 1)
        #expect(scheduler.next(now: t0 + .milliseconds(30)) == .wait(until: t0 + stagger))
        #expect(scheduler.next(now: t0 + stagger) == .start(file: 2, supplier: 1))
        scheduler.finished(supplier: 1)
        // Group 0, idle for longer than stagger, becomes busy again: it waits stagger after group 1's opening...
        scheduler.enqueue(file: 3, supplier: 0)
        #expect(scheduler.next(now: t0 + .milliseconds(150)) == .wait(until: t0 + stagger + stagger))
        // ...and once that is long past, it starts at once.
        scheduler.enqueue(file: 4, supplier: 0)
        #expect(scheduler.next(now: t0 + .seconds(5)) == .start(file: 3, supplier: 0))
        #expect(scheduler.next(now: t0 + .seconds(5)) == .wait(until: nil), "cap 1")
    }

    @Test func groupsOpenInTheOrderTheyBeganToWait() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        var scheduler = machine(groups: [0, 1, 2], stagger: stagger)
        scheduler.enqueue(file: 1, supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 1, supplier: 0))
        scheduler.enqueue(file: 3, supplier: 2)
        #expect(scheduler.next(now: t0 + .milliseconds(10)) == .wait(until: t0 + stagger))
        scheduler.enqueue(file: 2, supplier: 1)
        #expect(scheduler.next(now: t0 + stagger) == .start(file: 3, supplier: 2), "group 2 waited first")
        #expect(scheduler.next(now: t0 + stagger) == .wait(until: t0 + stagger + stagger))
        #expect(scheduler.next(now: t0 + stagger + stagger) == .start(file: 2, supplier: 1))
    }

    @Test func aSupplierAddedLaterRunsUnderItsOwnCapAndGroup() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        var scheduler = machine(groups: [0], stagger: stagger)
        scheduler.enqueue(file: 1, supplier: 0)
        #expect(scheduler.next(now: t0) == .start(file: 1, supplier: 0))
        let limits: [SchedulerStateMachine.SupplierLimits] = [.init(cap: 1, group: 0), .init(cap: 2, group: 1)]
        scheduler.addSuppliers(limits)
        scheduler.addSuppliers(limits)
        for file in [10, 11, 12] { scheduler.enqueue(file: file, supplier: 1) }
        #expect(scheduler.next(now: t0) == .wait(until: t0 + stagger), "its group opens stagger after the first")
        #expect(scheduler.next(now: t0 + stagger) == .start(file: 10, supplier: 1))
        #expect(scheduler.next(now: t0 + stagger) == .start(file: 11, supplier: 1))
        #expect(scheduler.next(now: t0 + stagger) == .wait(until: nil), "cap 2, and adding the same list twice added it once")
    }

    @Test func groupsThatBeganToWaitTogetherOpenInGroupOrder() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        // Supplier 0 is declared first but belongs to the second group; both arrive at once.
        var scheduler = SchedulerStateMachine(suppliers: [.init(cap: 1, group: 1), .init(cap: 1, group: 0)],
                                              globalCap: 8, stagger: stagger)
        scheduler.enqueue(file: 1, supplier: 0)
        scheduler.enqueue(file: 2, supplier: 1)
        #expect(scheduler.next(now: t0) == .start(file: 2, supplier: 1))
        #expect(scheduler.next(now: t0) == .wait(until: t0 + stagger))
        #expect(scheduler.next(now: t0 + stagger) == .start(file: 1, supplier: 0))
    }

    /// A trickle into one group, quicker than stagger, keeps it open; another group that began
    /// waiting still opens stagger after it, instead of waiting for the trickle to stop.
    @Test func aTrickleIntoOneGroupNeitherWaitsNorStarvesAnother() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(200)
        var scheduler = machine(groups: [0, 1], stagger: stagger)
        var file = 0
        var now = t0
        var supplierOneStarted: Instant?
        for step in 0..<20 {
            now = t0 + .milliseconds(100 * Int64(step))
            file += 1
            scheduler.enqueue(file: file, supplier: 0)
            if step == 1 { scheduler.enqueue(file: 1000, supplier: 1) }
            var started: [Int] = []
            while case .start(let id, let supplier) = scheduler.next(now: now) {
                started.append(id)
                if supplier == 1 { supplierOneStarted = now }
            }
            #expect(started.contains(file), "step \(step): a file of the open group starts the moment it arrives")
            for id in started { scheduler.finished(file: id, supplier: id == 1000 ? 1 : 0, outcome: .succeeded, now: now) }
        }
        #expect(supplierOneStarted == t0 + stagger, "group 1 opens stagger after group 0 did")
    }

    /// Files arrive at random moments while others run, fail and retry: caps, the global cap,
    /// spacing, rates and pauses hold throughout, every opening of a group comes at least
    /// `stagger` after the one before, in group order, and every file ends exactly once.
    @Test(arguments: 0..<300)
    func everyLimitHoldsWhileFilesArrive(seed: Int) {
        let scenario = LimiterPropertyTests.Scenario(seed: UInt64(seed))
        var random = SplitMix64(seed: UInt64(seed) &+ 7)
        var machine = SchedulerStateMachine(suppliers: scenario.limits, globalCap: scenario.globalCap,
                                            stagger: scenario.stagger, spacing: scenario.spacing,
                                            retry: scenario.retry, breaker: scenario.breaker, seed: UInt64(seed))
        let start = ContinuousClock.now
        var now = start
        // Every file arrives within the first second, in its supplier's order.
        var arrivals = scenario.files.enumerated().flatMap { supplier, files in
            files.map { (file: $0, supplier: supplier, at: start + .milliseconds(Int64(random.next() % 1000))) }
        }
        arrivals.sort { $0.at < $1.at }
        var delivered: [Int: Int] = [:]               // file -> supplier
        var active: [(file: Int, supplier: Int)] = []
        var outstanding = Array(repeating: 0, count: scenario.files.count)   // delivered, not ended
        var attempts: [Int: Int] = [:]
        var ended: Set<Int> = []
        var starts: [Int: [Instant]] = [:]
        var halfOpen = Array(repeating: false, count: scenario.files.count)
        var openingsSeen = 0
        var openGroups: Set<Int> = []
        var idleSince: [Int: Instant] = [:]
        var waitingSince: [Int: Int] = [:]     // closed groups with work -> order they began to wait
        var waits = 0
        var lastOpening: Instant?
        let groupOf = scenario.limits.map(\.group)
        func groupHasWork(_ group: Int) -> Bool { outstanding.indices.contains { groupOf[$0] == group && outstanding[$0] > 0 } }
        func beginWaiting(_ group: Int) {
            guard !openGroups.contains(group), waitingSince[group] == nil else { return }
            waitingSince[group] = waits
        }
        func deliverDue() {
            while let first = arrivals.first, first.at <= now {
                arrivals.removeFirst()
                machine.enqueue(file: first.file, supplier: first.supplier)
                delivered[first.file] = first.supplier
                outstanding[first.supplier] += 1
                beginWaiting(groupOf[first.supplier])
                if arrivals.isEmpty { machine.closeFeed() }
            }
        }
        // A group idle for stagger has closed by the time the scheduler is next asked.
        func closeIdleGroups() {
            for group in idleSince.keys.sorted() {
                if now - idleSince[group]! >= scenario.stagger {
                    idleSince[group] = nil
                    openGroups.remove(group)
                    if groupHasWork(group) { beginWaiting(group) }
                } else if groupHasWork(group) {
                    idleSince[group] = nil
                }
            }
        }
        func finishOne() {
            let (file, supplier) = active.remove(at: Int(random.next() % UInt64(active.count)))
            now += .milliseconds(Int64(random.next() % 40))
            let roll = random.next() % 10
            let outcome: SchedulerStateMachine.Outcome = roll < 6 ? .succeeded : roll < 9 ? .transientFailure(retryAfter: nil) : .failed
            let retried = machine.finished(file: file, supplier: supplier, outcome: outcome, now: now)
            if outcome == .succeeded { halfOpen[supplier] = false }
            if !retried {
                ended.insert(file)
                outstanding[supplier] -= 1
                if !groupHasWork(groupOf[supplier]) { idleSince[groupOf[supplier]] = now }
            }
        }
        if arrivals.isEmpty { machine.closeFeed() }

        for _ in 0..<20_000 {
            deliverDue()
            for opening in machine.breakerOpenings.dropFirst(openingsSeen) { halfOpen[opening.supplier] = true }
            openingsSeen = machine.breakerOpenings.count
            closeIdleGroups()
            waits += 1
            switch machine.next(now: now) {
            case .start(let file, let supplier):
                #expect(delivered[file] == supplier, "seed \(seed): started a file before it arrived")
                #expect(!ended.contains(file), "seed \(seed): file \(file) started after it ended")
                attempts[file, default: 0] += 1
                #expect(attempts[file]! <= scenario.retry.maxAttempts, "seed \(seed): too many attempts")
                active.append((file, supplier))
                let cap = halfOpen[supplier] ? 1 : scenario.limits[supplier].cap
                #expect(active.filter { $0.supplier == supplier }.count <= cap, "seed \(seed): cap")
                #expect(active.count <= scenario.globalCap, "seed \(seed): global cap")
                if let last = starts[supplier]?.last { #expect(now - last >= scenario.spacing, "seed \(seed): spacing") }
                starts[supplier, default: []].append(now)
                for opening in machine.breakerOpenings where opening.supplier == supplier {
                    #expect(!(opening.at <= now && now < opening.until), "seed \(seed): started while paused")
                }
                let group = groupOf[supplier]
                if !openGroups.contains(group) {
                    if let lastOpening { #expect(now - lastOpening >= scenario.stagger, "seed \(seed): group \(group) opened too soon") }
                    for (other, since) in waitingSince where other != group {
                        #expect((waitingSince[group] ?? .max, group) < (since, other),
                                "seed \(seed): group \(group) opened before group \(other), which began to wait first")
                    }
                    #expect(waitingSince[group] != nil, "seed \(seed): group \(group) opened without waiting")
                    waitingSince[group] = nil
                    openGroups.insert(group)
                    lastOpening = now
                }
            case .wait(let until):
                if let until, active.isEmpty || random.next() % 3 == 0 {
                    #expect(until > now, "seed \(seed): told to wait for the past")
                    now = min(until, arrivals.first?.at ?? until)
                } else if !active.isEmpty {
                    finishOne()
                } else {
                    #expect(!arrivals.isEmpty, "seed \(seed): waiting with nothing running and nothing to come")
                    guard let next = arrivals.first?.at else { return }
                    now = next
                }
            case .idle:
                #expect(machine.feedOpen, "seed \(seed): idle after the feed closed")
                if !active.isEmpty && (arrivals.isEmpty || random.next() % 2 == 0) {
                    finishOne()
                } else if let next = arrivals.first?.at {
                    now = max(now, next)
                } else {
                    Issue.record("seed \(seed): idle with nothing running and nothing to come")
                    return
                }
            case .drained:
                #expect(arrivals.isEmpty, "seed \(seed): drained before every file arrived")
                guard active.isEmpty else {
                    finishOne()
                    continue
                }
                if machine.pendingCount > 0 { continue }
                #expect(Set(scenario.files.flatMap { $0 }) == ended, "seed \(seed): every file ends exactly once")
                #expect(machine.activeTotal == 0)
                return
            }
        }
        Issue.record("seed \(seed): the schedule did not finish in 20,000 steps")
    }
}
