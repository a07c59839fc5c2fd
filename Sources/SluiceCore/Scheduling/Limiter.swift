/// The one place that grants file slots: an actor around `SchedulerStateMachine`, so the
/// scheduler loop and, later, sources that need per-request tokens share one set of limits.
actor Limiter {
    private var machine: SchedulerStateMachine

    init(_ machine: SchedulerStateMachine) { self.machine = machine }

    func next(now: ContinuousClock.Instant) -> SchedulerStateMachine.Action { machine.next(now: now) }

    /// Files of one supplier that arrived, in the order they should start.
    func enqueue(_ files: [Int], supplier: Int) {
        for file in files { machine.enqueue(file: file, supplier: supplier) }
    }

    /// Suppliers that appeared since, from the whole list (see `SchedulerStateMachine.addSuppliers`).
    func addSuppliers(_ all: [SchedulerStateMachine.SupplierLimits]) { machine.addSuppliers(all) }

    /// A finished file to start again (see `SchedulerStateMachine.requeue`).
    func requeue(file: Int, supplier: Int, at time: ContinuousClock.Instant) {
        machine.requeue(file: file, supplier: supplier, at: time)
    }

    /// No more files will arrive.
    func closeFeed() { machine.closeFeed() }

    /// Frees the slot; returns whether the file was queued for another attempt.
    func finished(file: Int, supplier: Int, outcome: SchedulerStateMachine.Outcome,
                  now: ContinuousClock.Instant) -> Bool {
        machine.finished(file: file, supplier: supplier, outcome: outcome, now: now)
    }

    var breakerOpenings: [(supplier: Int, at: ContinuousClock.Instant, until: ContinuousClock.Instant)] {
        machine.breakerOpenings
    }
}
