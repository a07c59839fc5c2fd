/// One delivery, registered with the store: the files it adds to the run.
struct Arrival: Sendable {
    /// Per supplier (by index), its new files in the order they should start.
    var jobs: [[FileJob]]
    /// Every supplier's limits, by index, as the roster knew them after this delivery.
    var suppliers: [SchedulerStateMachine.SupplierLimits] = []
}
