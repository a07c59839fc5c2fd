import Foundation
import Testing
@testable import SluiceCore

private typealias Instant = ContinuousClock.Instant

@Suite struct SchedulerStateMachineTests {
    // MARK: - Worked examples

    @Test func noFilesIsDrainedAtOnce() {
        var machine = SchedulerStateMachine(files: [[], []], caps: [1, 1], globalCap: 1, groupSize: 1, stagger: .seconds(1))
        #expect(machine.next(now: .now) == .drained)
        #expect(machine.pendingCount == 0)
        #expect(machine.activeTotal == 0)
    }

    @Test func oneSupplierStartsOldestFirstUpToItsCap() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[10, 11, 12, 13]], caps: [2], globalCap: 8, groupSize: 1, stagger: .zero)
        #expect(machine.next(now: t0) == .start(file: 10, supplier: 0))
        #expect(machine.next(now: t0) == .start(file: 11, supplier: 0))
        #expect(machine.next(now: t0) == .wait(until: nil))
        #expect(machine.active(supplier: 0) == 2)
        machine.finished(supplier: 0)
        #expect(machine.next(now: t0) == .start(file: 12, supplier: 0))
        #expect(machine.next(now: t0) == .wait(until: nil))
        machine.finished(supplier: 0)
        machine.finished(supplier: 0)
        #expect(machine.next(now: t0) == .start(file: 13, supplier: 0))
        #expect(machine.next(now: t0) == .drained)
        #expect(machine.activeTotal == 1)
        machine.finished(supplier: 0)
        #expect(machine.activeTotal == 0)
        #expect(machine.next(now: t0) == .drained)
    }

    @Test func globalCapHoldsAcrossSuppliers() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[0, 1], [2, 3], [4, 5]], caps: [2, 2, 2], globalCap: 3, groupSize: 3, stagger: .zero)
        #expect(machine.next(now: t0) == .start(file: 0, supplier: 0))
        #expect(machine.next(now: t0) == .start(file: 2, supplier: 1))
        #expect(machine.next(now: t0) == .start(file: 4, supplier: 2))
        #expect(machine.next(now: t0) == .wait(until: nil))
        machine.finished(supplier: 1)
        #expect(machine.next(now: t0) == .start(file: 1, supplier: 0), "round robin continues after supplier 2")
        #expect(machine.next(now: t0) == .wait(until: nil))
    }

    /// A file another worker holds is asked for again later; it is no attempt and no failure,
    /// however often it comes back, and a file another worker finished is simply gone.
    @Test func aFileNotStartedIsNeitherAnAttemptNorAFailure() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(suppliers: [.init(cap: 1, group: 0)], globalCap: 4, stagger: .zero,
                                            retry: RetryPolicy(maxAttempts: 1), breaker: BreakerPolicy(failures: 1, coolDown: .seconds(60)))
        machine.enqueue(file: 0, supplier: 0)
        machine.enqueue(file: 1, supplier: 0)
        machine.closeFeed()
        for round in 1...3 {
            let now = t0 + .seconds(round)
            #expect(machine.next(now: now) == .start(file: 0, supplier: 0))
            let again = machine.finished(file: 0, supplier: 0, outcome: .notStarted(retryAt: now + .milliseconds(500), holdSupplier: false),
                                         now: now)
            #expect(again, "asked for again")
            guard round == 1 else { continue }
            // The supplier is free for its next file meanwhile; another worker finished that one.
            #expect(machine.next(now: now) == .start(file: 1, supplier: 0))
            let gone = !machine.finished(file: 1, supplier: 0, outcome: .notStarted(retryAt: nil, holdSupplier: false), now: now)
            #expect(gone, "another worker's")
        }
        #expect(machine.breakerOpenings.isEmpty, "nothing counted as a failure")
        let late = t0 + .seconds(10)
        #expect(machine.next(now: late) == .start(file: 0, supplier: 0), "still startable: no attempt was used up")
        machine.finished(file: 0, supplier: 0, outcome: .succeeded, now: late)
        #expect(machine.next(now: late) == .drained)
    }

    /// No room for a supplier across workers holds all its files back until the time given,
    /// while other suppliers go on.
    @Test func noRoomHoldsTheSuppliersOtherFilesBack() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[0, 1], [2]], caps: [2, 2], globalCap: 4, groupSize: 2, stagger: .zero)
        #expect(machine.next(now: t0) == .start(file: 0, supplier: 0))
        machine.finished(file: 0, supplier: 0, outcome: .notStarted(retryAt: t0 + .milliseconds(300), holdSupplier: true), now: t0)
        #expect(machine.next(now: t0) == .start(file: 2, supplier: 1))
        #expect(machine.next(now: t0) == .wait(until: t0 + .milliseconds(300)))
        #expect(machine.next(now: t0 + .milliseconds(300)) == .start(file: 0, supplier: 0), "the held file first")
        #expect(machine.next(now: t0 + .milliseconds(300)) == .start(file: 1, supplier: 0))
    }

    @Test func zeroCapIsTreatedAsOne() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[0, 1]], caps: [0], globalCap: 4, groupSize: 1, stagger: .zero)
        #expect(machine.next(now: t0) == .start(file: 0, supplier: 0))
        #expect(machine.next(now: t0) == .wait(until: nil))
    }

    @Test(arguments: [false, true])
    func smallSupplierIsNotStarvedByALargeOne(smallFirst: Bool) {
        let t0 = ContinuousClock.now
        let big = Array(0..<1000), small = [5000]
        let files = smallFirst ? [small, big] : [big, small]
        var machine = SchedulerStateMachine(files: files, caps: [1000, 1000], globalCap: 1, groupSize: 2, stagger: .zero)
        var order: [Int] = []
        while case .start(let file, let supplier) = machine.next(now: t0) {
            order.append(file)
            machine.finished(supplier: supplier)
        }
        #expect(order.count == 1001)
        #expect(order.prefix(2).contains(5000), "first starts: \(order.prefix(3))")
        #expect(order.filter { $0 < 1000 } == big, "the big supplier's files keep their order")
    }

    @Test func suppliersTakeTurns() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[0, 1, 2], [10, 11, 12], [20, 21, 22]], caps: [3, 3, 3],
                                            globalCap: 9, groupSize: 3, stagger: .zero)
        var started: [Int] = []
        while case .start(let file, _) = machine.next(now: t0) { started.append(file) }
        #expect(started == [0, 10, 20, 1, 11, 21, 2, 12, 22])
    }

    @Test func groupsStartStaggerApart() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        var machine = SchedulerStateMachine(files: [[0, 1], [2, 3], [4, 5], [6, 7]], caps: [1, 1, 1, 1],
                                            globalCap: 10, groupSize: 2, stagger: stagger)
        #expect(machine.next(now: t0) == .start(file: 0, supplier: 0))
        #expect(machine.next(now: t0) == .start(file: 2, supplier: 1))
        #expect(machine.next(now: t0) == .wait(until: t0 + stagger))
        #expect(machine.next(now: t0 + .milliseconds(99)) == .wait(until: t0 + stagger))
        #expect(machine.next(now: t0 + stagger) == .start(file: 4, supplier: 2))
        #expect(machine.next(now: t0 + stagger) == .start(file: 6, supplier: 3))
        #expect(machine.next(now: t0 + stagger) == .wait(until: nil))
    }

    @Test func staggerCountsFromThePreviousGroupsActualFirstStart() {
        let t0 = ContinuousClock.now
        let stagger = Duration.milliseconds(100)
        var machine = SchedulerStateMachine(files: [[0], [1], [2]], caps: [1, 1, 1], globalCap: 1, groupSize: 1, stagger: stagger)
        #expect(machine.next(now: t0) == .start(file: 0, supplier: 0))
        #expect(machine.next(now: t0 + .milliseconds(150)) == .wait(until: nil), "the global cap is full")
        machine.finished(supplier: 0)
        let late = t0 + .milliseconds(250)
        #expect(machine.next(now: late) == .start(file: 1, supplier: 1))
        machine.finished(supplier: 1)
        #expect(machine.next(now: late + .milliseconds(10)) == .wait(until: late + stagger))
        #expect(machine.next(now: late + stagger) == .start(file: 2, supplier: 2))
        #expect(machine.next(now: late + stagger) == .drained)
    }

    @Test func laterGroupWaitsForThePreviousGroupToStartAtAll() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[0, 1], [2], [3]], caps: [1, 1, 1], globalCap: 1, groupSize: 1,
                                            stagger: .milliseconds(10))
        #expect(machine.next(now: t0) == .start(file: 0, supplier: 0))
        machine.finished(supplier: 0)
        // Much later group 1 may start; group 2 still needs group 1's first start plus stagger.
        let later = t0 + .seconds(5)
        #expect(machine.next(now: later) == .start(file: 2, supplier: 1))
        machine.finished(supplier: 1)
        #expect(machine.next(now: later) == .start(file: 1, supplier: 0))
        machine.finished(supplier: 0)
        #expect(machine.next(now: later) == .wait(until: later + .milliseconds(10)))
    }

    @Test func idleSuppliersDoNotTakeAGroup() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[], [1], [], [], [2]], caps: [1, 1, 1, 1, 1], globalCap: 4, groupSize: 1,
                                            stagger: .milliseconds(100))
        #expect(machine.next(now: t0) == .start(file: 1, supplier: 1))
        #expect(machine.next(now: t0) == .wait(until: t0 + .milliseconds(100)), "supplier 4 is in the second group, not the fourth")
        #expect(machine.next(now: t0 + .milliseconds(100)) == .start(file: 2, supplier: 4))
    }

    @Test func zeroStaggerOpensEveryGroupAtOnce() {
        let t0 = ContinuousClock.now
        var machine = SchedulerStateMachine(files: [[0], [1], [2], [3]], caps: [1, 1, 1, 1], globalCap: 4, groupSize: 1, stagger: .zero)
        var started: [Int] = []
        while case .start(let file, _) = machine.next(now: t0) { started.append(file) }
        #expect(started == [0, 1, 2, 3])
    }

    @Test func releasingASlotTwiceTraps() async {
        await #expect(processExitsWith: .failure) {
            var machine = SchedulerStateMachine(files: [[0]], caps: [1], globalCap: 1, groupSize: 1, stagger: .zero)
            _ = machine.next(now: .now)
            machine.finished(supplier: 0)
            machine.finished(supplier: 0)
        }
    }

    // MARK: - Random schedules

    /// 400 random scenarios in 8 batches; a failure names its seed.
    @Test(arguments: 0..<8)
    func randomSchedulesKeepEveryRule(batch: Int) {
        var total = Simulation.Coverage()
        for seed in (batch * 50)..<(batch * 50 + 50) {
            var simulation = Simulation(seed: UInt64(seed))
            let failures = simulation.run()
            #expect(failures.isEmpty, "seed \(seed): \(failures.prefix(5).joined(separator: "; "))")
            if !failures.isEmpty { return }
            total.add(simulation.coverage)
        }
        // The scenarios must actually reach the interesting situations, or the checks prove little.
        #expect(total.timedWaits > 0, "no wait for a group opening")
        #expect(total.untimedWaits > 0, "no wait for a finish")
        #expect(total.passedOver > 0, "no eligible supplier was ever passed over")
        #expect(total.staggeredGroupStarts > 0, "no group start was held back by stagger")
        #expect(total.starts > 1000)
    }
}

/// One random scenario, driven against an independent model of what the scheduler may do.
private struct Simulation {
    let seed: UInt64
    var rng: SplitMix64
    let files: [[Int]]
    let caps: [Int]
    let globalCap: Int
    let groupSize: Int
    let stagger: Duration
    /// The start group of each supplier, computed here from the rules (nil: no files).
    let group: [Int?]

    struct Coverage {
        var starts = 0, timedWaits = 0, untimedWaits = 0, passedOver = 0, staggeredGroupStarts = 0
        mutating func add(_ other: Coverage) {
            starts += other.starts; timedWaits += other.timedWaits; untimedWaits += other.untimedWaits
            passedOver += other.passedOver; staggeredGroupStarts += other.staggeredGroupStarts
        }
    }
    private(set) var coverage = Coverage()

    init(seed: UInt64) {
        self.seed = seed
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 1)
        let supplierCount = Int.random(in: 1...8, using: &rng)
        var next = 0
        var files: [[Int]] = []
        for _ in 0..<supplierCount {
            let roll = Int.random(in: 0..<10, using: &rng)
            let count = roll < 2 ? 0 : roll == 9 ? Int.random(in: 40...200, using: &rng) : Int.random(in: 1...6, using: &rng)
            files.append(Array(next..<(next + count)))
            next += count
        }
        self.files = files
        caps = files.map { _ in Int.random(in: 1...4, using: &rng) }
        globalCap = Int.random(in: 1...10, using: &rng)
        groupSize = Int.random(in: 1...4, using: &rng)
        stagger = Bool.random(using: &rng) ? .zero : .milliseconds(Int.random(in: 1...300, using: &rng))
        var groups: [Int?] = []
        var withWork = 0
        for list in files {
            groups.append(list.isEmpty ? nil : withWork / groupSize)
            if !list.isEmpty { withWork += 1 }
        }
        group = groups
        self.rng = rng
    }

    mutating func run() -> [String] {
        var failures: [String] = []
        func fail(_ message: String) { failures.append(message) }

        let n = files.count
        let t0 = ContinuousClock.now
        var now = t0
        var machine = SchedulerStateMachine(files: files, caps: caps, globalCap: globalCap, groupSize: groupSize, stagger: stagger)
        var pending = files
        var activePer = Array(repeating: 0, count: n)
        var active: [(file: Int, supplier: Int)] = []
        var startCount: [Int: Int] = [:]
        var released = 0
        let groupCount = (group.compactMap { $0 }.max() ?? -1) + 1
        var groupFirstStart: [Instant?] = Array(repeating: nil, count: groupCount)
        var skips = Array(repeating: 0, count: n)

        func groupOpen(_ g: Int) -> Bool {
            if groupFirstStart[g] != nil || g == 0 { return true }
            guard let previous = groupFirstStart[g - 1] else { return false }
            return now >= previous + stagger
        }
        func eligible() -> Set<Int> {
            guard active.count < globalCap else { return [] }
            return Set((0..<n).filter { s in
                !pending[s].isEmpty && activePer[s] < caps[s] && groupOpen(group[s]!)
            })
        }
        /// The instant the scheduler should name when it waits for a group to open.
        func expectedOpening() -> Instant? {
            guard active.count < globalCap else { return nil }
            var earliest: Instant?
            for s in 0..<n where !pending[s].isEmpty && activePer[s] < caps[s] {
                let g = group[s]!
                guard !groupOpen(g), let previous = groupFirstStart[g - 1] else { continue }
                earliest = min(earliest ?? previous + stagger, previous + stagger)
            }
            return earliest
        }
        func finishOne() {
            let index = Int.random(in: 0..<active.count, using: &rng)
            let (_, supplier) = active.remove(at: index)
            activePer[supplier] -= 1
            released += 1
            machine.finished(supplier: supplier)
            if machine.activeTotal != active.count { fail("activeTotal \(machine.activeTotal) after a finish, expected \(active.count)") }
        }

        var steps = 0
        loop: while failures.isEmpty {
            steps += 1
            if steps > 200_000 { fail("no progress after \(steps) steps"); break }
            let ready = eligible()
            let action = machine.next(now: now)
            switch action {
            case .start(let file, let supplier):
                guard supplier >= 0, supplier < n else { fail("start of unknown supplier \(supplier)"); break loop }
                if !ready.contains(supplier) {
                    fail("started supplier \(supplier) which was not eligible (active \(activePer[supplier])/\(caps[supplier]), total \(active.count)/\(globalCap), group \(group[supplier]!) open \(groupOpen(group[supplier]!)))")
                }
                if pending[supplier].first != file {
                    fail("supplier \(supplier) started file \(file), expected its oldest pending \(String(describing: pending[supplier].first))")
                } else {
                    pending[supplier].removeFirst()
                }
                coverage.starts += 1
                startCount[file, default: 0] += 1
                if startCount[file]! > 1 { fail("file \(file) started twice") }
                let g = group[supplier]!
                if groupFirstStart[g] == nil {
                    if g > 0 {
                        if groupFirstStart[g - 1] != nil, stagger > .zero { coverage.staggeredGroupStarts += 1 }
                        if let previous = groupFirstStart[g - 1] {
                            if now < previous + stagger { fail("group \(g) started \(now - previous) after group \(g - 1), stagger \(stagger)") }
                        } else {
                            fail("group \(g) started before group \(g - 1)")
                        }
                    }
                    groupFirstStart[g] = now
                }
                active.append((file, supplier))
                activePer[supplier] += 1
                if activePer[supplier] > caps[supplier] { fail("supplier \(supplier) has \(activePer[supplier]) open, cap \(caps[supplier])") }
                if active.count > globalCap { fail("\(active.count) open, global cap \(globalCap)") }
                if machine.activeTotal != active.count { fail("activeTotal \(machine.activeTotal), expected \(active.count)") }
                if machine.active(supplier: supplier) != activePer[supplier] { fail("active(supplier:) disagrees") }
                // Round robin: a supplier that stays eligible is passed over fewer than n times in a row.
                for s in 0..<n {
                    if s != supplier && ready.contains(s) {
                        skips[s] += 1
                        coverage.passedOver += 1
                        if skips[s] > n - 1 { fail("supplier \(s) eligible but passed over \(skips[s]) times in a row") }
                    } else {
                        skips[s] = 0
                    }
                }
                // Sometimes things happen between two starts.
                if !active.isEmpty && Int.random(in: 0..<4, using: &rng) == 0 { finishOne() }
                if Int.random(in: 0..<6, using: &rng) == 0 { now = now + .milliseconds(Int.random(in: 0...120, using: &rng)) }

            case .wait(let until):
                skips = Array(repeating: 0, count: n)
                if until == nil { coverage.untimedWaits += 1 } else { coverage.timedWaits += 1 }
                if !ready.isEmpty {
                    fail("waited while suppliers \(ready.sorted()) had room under their cap and the global cap in an open group")
                }
                if pending.allSatisfy(\.isEmpty) { fail("waited with nothing pending instead of drained") }
                if until != expectedOpening() {
                    fail("wait(until: \(until.map { "\($0 - t0)" } ?? "nil")), expected \(expectedOpening().map { "\($0 - t0)" } ?? "nil")")
                }
                if let until, until <= now { fail("asked to wait until an instant that has passed") }
                if active.isEmpty && until == nil { fail("deadlock: nothing open, nothing to wait for, files pending"); break loop }
                if let until, active.isEmpty || Bool.random(using: &rng) {
                    now = Bool.random(using: &rng) ? until : until + .milliseconds(Int.random(in: 0...50, using: &rng))
                } else {
                    finishOne()
                }

            case .idle:
                fail("idle although the feed is closed")
                break loop

            case .drained:
                if !pending.allSatisfy(\.isEmpty) { fail("drained with \(pending.map(\.count).reduce(0, +)) files pending") }
                if machine.pendingCount != 0 { fail("drained but pendingCount is \(machine.pendingCount)") }
                while !active.isEmpty { finishOne() }
                if machine.next(now: now) != .drained { fail("not drained after the last finish") }
                break loop
            }
        }

        let all = files.flatMap { $0 }
        if failures.isEmpty {
            if startCount.count != all.count || Set(startCount.keys) != Set(all) {
                fail("started \(startCount.count) distinct files of \(all.count)")
            }
            if startCount.values.contains(where: { $0 != 1 }) { fail("some file started more than once") }
            if released != all.count { fail("released \(released) of \(all.count)") }
            if machine.activeTotal != 0 { fail("activeTotal \(machine.activeTotal) at the end") }
        }
        return failures
    }
}
