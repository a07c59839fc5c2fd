/// One delivery, registered with the store: the files it adds to the run.
struct Arrival: Sendable {
    /// Per supplier (by index), its new files in the order they should start.
    var jobs: [[FileJob]]
}
