import Testing
@testable import SluiceCore

/// Random arrivals, finishes and failures against every limit at once; each case is replayable by its seed.
@Suite struct LimiterPropertyTests {
    typealias Instant = ContinuousClock.Instant

    struct Scenario {
        var files: [[Int]]
        var limits: [SchedulerStateMachine.SupplierLimits]
        var globalCap: Int
        var stagger: Duration
        var spacing: Duration
        var retry: RetryPolicy
        var breaker: BreakerPolicy?

        init(seed: UInt64) {
            var random = SplitMix64(seed: seed)
            func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
            let suppliers = 1 + below(8)
            var next = 0
            files = (0..<suppliers).map { _ in
                let count = below(12)
                defer { next += count }
                return Array(next..<(next + count))
            }
            let groups = 1 + below(3)
            limits = (0..<suppliers).map { index in
                let rate: TokenBucket? = below(2) == 0 ? TokenBucket(rate: Double(1 + below(20)), burst: 1 + below(3)) : nil
                return .init(cap: 1 + below(4), group: index % groups, rate: rate)
            }
            globalCap = 1 + below(10)
            stagger = .milliseconds(Int64(below(300)))
            spacing = .milliseconds(Int64(below(3) == 0 ? below(100) : 0))
            retry = RetryPolicy(maxAttempts: 1 + below(4), initialDelay: .milliseconds(Int64(1 + below(50))),
                                maxDelay: .milliseconds(200))
            breaker = below(2) == 0 ? BreakerPolicy(failures: 1 + below(4), coolDown: .milliseconds(Int64(10 + below(300)))) : nil
        }
    }

    @Test(arguments: 0..<300)
    func everyLimitHoldsAndEveryFileEnds(seed: Int) {
        let scenario = Scenario(seed: UInt64(seed))
        var machine = SchedulerStateMachine(files: scenario.files, suppliers: scenario.limits, globalCap: scenario.globalCap,
                                            stagger: scenario.stagger, spacing: scenario.spacing,
                                            retry: scenario.retry, breaker: scenario.breaker, seed: UInt64(seed))
        var random = SplitMix64(seed: UInt64(seed) &+ 99)
        let start = ContinuousClock.now
        var now = start
        var active: [(file: Int, supplier: Int)] = []
        var starts: [Int: [Instant]] = [:]          // per supplier
        var attempts: [Int: Int] = [:]
        var finishedFor: Set<Int> = []
        var groupFirstStart: [Int: Instant] = [:]
        var pendingFresh = scenario.files.map(\.count)
        // After its breaker opens, a supplier is half-open until a file succeeds: one file at a time.
        var halfOpen = Array(repeating: false, count: scenario.files.count)
        var openingsSeen = 0
        func effectiveCap(_ supplier: Int) -> Int { halfOpen[supplier] ? 1 : scenario.limits[supplier].cap }
        let allFiles = scenario.files.flatMap { $0 }
        let supplierOf = Dictionary(uniqueKeysWithValues: scenario.files.enumerated().flatMap { s, files in files.map { ($0, s) } })

        for _ in 0..<5_000 {
            for opening in machine.breakerOpenings.dropFirst(openingsSeen) { halfOpen[opening.supplier] = true }
            openingsSeen = machine.breakerOpenings.count
            switch machine.next(now: now) {
            case .start(let file, let supplier):
                #expect(supplierOf[file] == supplier)
                #expect(!finishedFor.contains(file), "seed \(seed): file \(file) started after it ended")
                attempts[file, default: 0] += 1
                #expect(attempts[file]! <= scenario.retry.maxAttempts, "seed \(seed): too many attempts")
                if attempts[file] == 1 { pendingFresh[supplier] -= 1 }
                active.append((file, supplier))
                #expect(active.filter { $0.supplier == supplier }.count <= effectiveCap(supplier), "seed \(seed): cap")
                #expect(active.count <= scenario.globalCap, "seed \(seed): global cap")
                if let last = starts[supplier]?.last { #expect(now - last >= scenario.spacing, "seed \(seed): spacing") }
                starts[supplier, default: []].append(now)
                let group = scenario.limits[supplier].group
                if groupFirstStart[group] == nil { groupFirstStart[group] = now }
                for opening in machine.breakerOpenings where opening.supplier == supplier {
                    #expect(!(opening.at <= now && now < opening.until), "seed \(seed): started while paused")
                }
            case .wait(let until):
                if until == nil {
                    #expect(!active.isEmpty, "seed \(seed): waiting for a finish with nothing running")
                    let roomy = scenario.files.indices.filter { supplier in
                        pendingFresh[supplier] > 0 && active.filter { $0.supplier == supplier }.count < effectiveCap(supplier)
                    }
                    #expect(active.count == scenario.globalCap || roomy.isEmpty,
                            "seed \(seed): suppliers \(roomy) wait although their cap and the global cap have room")
                }
                if active.isEmpty && until == nil { return }
                if let until, active.isEmpty || random.next() % 3 == 0 {
                    #expect(until > now, "seed \(seed): told to wait for the past")
                    now = until
                } else {
                    let index = Int(random.next() % UInt64(active.count))
                    let (file, supplier) = active.remove(at: index)
                    now += .milliseconds(Int64(random.next() % 40))
                    let roll = random.next() % 10
                    let outcome: SchedulerStateMachine.Outcome = roll < 6 ? .succeeded
                        : roll < 9 ? .transientFailure(retryAfter: roll == 8 ? .milliseconds(30) : nil) : .failed
                    let retried = machine.finished(file: file, supplier: supplier, outcome: outcome, now: now)
                    if outcome == .succeeded { halfOpen[supplier] = false }
                    if case .transientFailure = outcome, attempts[file]! < scenario.retry.maxAttempts {
                        #expect(retried, "seed \(seed): a passing failure with attempts left must be retried")
                    } else {
                        #expect(!retried)
                    }
                    if !retried { finishedFor.insert(file) }
                }
            case .idle:
                Issue.record("seed \(seed): idle although the feed is closed")
                return
            case .drained:
                while let (file, supplier) = active.popLast() {
                    _ = machine.finished(file: file, supplier: supplier, outcome: .succeeded, now: now)
                    finishedFor.insert(file)
                }
                if machine.pendingCount > 0 { continue }
                #expect(Set(allFiles) == finishedFor, "seed \(seed): every file ends exactly once")
                #expect(machine.activeTotal == 0)
                checkStagger(groupFirstStart, scenario: scenario, seed: seed)
                checkRates(starts, scenario: scenario, seed: seed)
                return
            }
        }
        Issue.record("seed \(seed): the schedule did not finish in 5,000 steps")
    }

    func checkStagger(_ firstStarts: [Int: Instant], scenario: Scenario, seed: Int) {
        let busy = Set(scenario.files.indices.filter { !scenario.files[$0].isEmpty }.map { scenario.limits[$0].group }).sorted()
        for (earlier, later) in zip(busy, busy.dropFirst()) {
            guard let a = firstStarts[earlier], let b = firstStarts[later] else { continue }
            #expect(b - a >= scenario.stagger, "seed \(seed): group \(later) started too soon after \(earlier)")
        }
    }

    /// In every window, starts never exceed what the bucket allows: burst + rate x window.
    func checkRates(_ starts: [Int: [Instant]], scenario: Scenario, seed: Int) {
        for (supplier, times) in starts {
            guard let bucket = scenario.limits[supplier].rate else { continue }
            for (i, from) in times.enumerated() {
                for (j, to) in times.enumerated() where j > i {
                    let allowed = bucket.burst + bucket.rate * (to - from).inSeconds + 1e-6
                    #expect(Double(j - i + 1) <= allowed + 1, "seed \(seed): supplier \(supplier) exceeded its rate")
                }
            }
        }
    }

    @Test func tokenBucketSpacesStartsAtItsRate() {
        let t0 = ContinuousClock.now
        var bucket = TokenBucket(rate: 4, burst: 2)
        #expect(bucket.availableAt(now: t0) == t0)
        bucket.take(now: t0)
        bucket.take(now: t0)
        let next = bucket.availableAt(now: t0)
        #expect(next - t0 == .milliseconds(250))
        bucket.take(now: next)
        #expect(bucket.availableAt(now: next) - next == .milliseconds(250))
    }

    @Test func backoffGrowsWithFullJitterUnderItsCeiling() {
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(100), maxDelay: .seconds(1))
        var random = SplitMix64(seed: 3)
        for attempt in 1...8 {
            let ceiling = min(1.0, 0.1 * Double(1 << (attempt - 1)))
            let delays = (0..<200).map { _ in policy.delay(afterAttempt: attempt, retryAfter: nil, random: &random).inSeconds }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling + 0.001 })
            #expect(delays.max()! > ceiling * 0.8, "full jitter reaches near the ceiling")
            #expect(delays.min()! < ceiling * 0.2, "full jitter reaches near zero")
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(5), random: &random) == .seconds(5), "Retry-After wins")
    }
}
