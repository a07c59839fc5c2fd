/// A file the scheduler may start, with its checkpoint.
///
/// A run holds one of these for every file it has to load, hundreds of thousands on a large
/// backlog, so a file that was never started keeps no record of its own: its checkpoint is
/// "registered, not started", rebuilt from the listing when asked for.
struct FileJob: Sendable {
    var file: DiscoveredFile
    /// The store's id of the file.
    let id: Int64
    /// When the file became eligible to start (Unix seconds): the run's start, or a retry's.
    var queuedAt: Double = 0
    /// This worker's claim on the file, when several workers share the store.
    var lease: Lease?
    /// The checkpoint, when it says more than "registered, not started".
    private var progressed: Checkpoint?

    init(file: DiscoveredFile, record: FileRecord) {
        self.file = file
        id = record.id
        self.record = record
    }

    var record: FileRecord {
        get { progressed?.record ?? notStarted }
        set {
            var untouched = notStarted
            untouched.registeredNow = newValue.registeredNow
            guard newValue != untouched else { progressed = nil; return }
            var record = newValue
            // The same names as the listing's: one copy of the text, not two, per file of the run.
            record.supplier = file.supplier
            record.relativePath = file.relativePath
            record.fingerprint = file.fingerprint
            progressed = Checkpoint(record: record)
        }
    }

    private var notStarted: FileRecord {
        FileRecord(id: id, supplier: file.supplier, relativePath: file.relativePath, size: file.size,
                   fingerprint: file.fingerprint, state: .pending)
    }

    /// Boxed: a reference is all a job carries for it.
    private final class Checkpoint: Sendable {
        let record: FileRecord
        init(record: FileRecord) { self.record = record }
    }
}
