import Synchronization

/// The run's suppliers, in the order they became known, with the limits each runs under: the
/// feed's suppliers at start, then any that appeared while a stream ran (a new folder under
/// `source.root`). Indexes never change once given, so the scheduler can grow with it.
final class SupplierRoster: Sendable {
    private struct State {
        var names: [String] = []
        var index: [String: Int] = [:]
        var limits: [SchedulerStateMachine.SupplierLimits] = []
        /// The start group suppliers not named in `limits.groups` fill, and how full it is.
        var autoGroup: Int
        var inAutoGroup = 0
    }
    private let state: Mutex<State>
    private let definition: PipelineDefinition
    /// The start group each supplier named in `limits.groups` belongs to.
    private let declaredGroup: [String: Int]

    init(definition: PipelineDefinition, suppliers: [String]) {
        self.definition = definition
        var declared: [String: Int] = [:]
        for (group, names) in definition.limits.groups.enumerated() {
            for name in names where declared[name] == nil { declared[name] = group }
        }
        declaredGroup = declared
        state = Mutex(State(autoGroup: definition.limits.groups.count))
        for name in suppliers { _ = index(of: name) }
    }

    var names: [String] { state.withLock { $0.names } }

    /// Every supplier's limits, by index.
    var limits: [SchedulerStateMachine.SupplierLimits] { state.withLock { $0.limits } }

    /// What a supplier may have open and how far apart it starts, across every worker of a
    /// shared store: its cap, its start group, and its start spacing or one over its rate.
    func terms(_ index: Int) -> SupplierTerms {
        let (name, limits) = state.withLock { ($0.names[index], $0.limits[index]) }
        let perRate = limits.rate.map { Duration.seconds(1 / $0.rate) } ?? .zero
        return SupplierTerms(name: name, cap: limits.cap, group: limits.group,
                             spacing: max(definition.limits.startSpacing, perRate))
    }

    /// The supplier's index, adding it (and returning true) when it is new.
    @discardableResult
    func index(of name: String) -> (index: Int, isNew: Bool) {
        state.withLock { state in
            if let known = state.index[name] { return (known, false) }
            let group: Int
            if let declared = declaredGroup[name] {
                group = declared
            } else {
                if state.inAutoGroup == definition.limits.groupSize {
                    state.autoGroup += 1
                    state.inAutoGroup = 0
                }
                group = state.autoGroup
                state.inAutoGroup += 1
            }
            let declared = definition.source.suppliers.first { $0.name == name }
            // An endpoint's rate counts its requests, and its client paces them; file starts are not counted twice.
            let rate = declared?.endpoint == nil ? declared?.rate ?? definition.limits.rate : nil
            state.limits.append(SchedulerStateMachine.SupplierLimits(
                cap: declared?.concurrency ?? definition.limits.perSupplierConcurrency, group: group,
                rate: rate.map { TokenBucket(rate: $0, burst: declared?.burst ?? definition.limits.burst) }))
            state.index[name] = state.names.count
            state.names.append(name)
            return (state.names.count - 1, true)
        }
    }
}
