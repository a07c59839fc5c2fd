import Foundation

/// A parsed, validated pipeline file: everything a run needs to know.
public struct PipelineDefinition: Sendable {
    /// The pipeline's name, used in logs, the store and the summary.
    public var name: String
    /// Where the definition was read from; relative paths resolve against its folder.
    public var fileURL: URL?
    public var source: SourceDefinition
    public var limits: LimitsDefinition
    public var retry: RetryPolicy
    /// Nil when the breaker is off.
    public var breaker: BreakerPolicy?
    public var schema: SchemaDefinition
    public var transform: [TransformStep]
    public var load: LoadDefinition
    public var settle: SettleDefinition
    /// How several workers share a PostgreSQL store.
    public var workers = WorkersDefinition()

    /// How `supplier` writes its files.
    public func profile(for supplier: String) -> SupplierProfile {
        source.suppliers.first { $0.name == supplier }?.profile ?? source.profile
    }

    /// Whether the staging table has `_extra`: some supplier keeps the columns the schema does not name.
    public var keepsExtraColumns: Bool {
        source.profile.extraColumns == .keep || source.suppliers.contains { $0.profile.extraColumns == .keep }
    }

    /// The transform steps compiled against the schema, `_extra` included when it is kept.
    public func outputPlan() throws -> OutputPlan {
        try OutputPlan.compile(schema: schema, steps: transform, extraColumn: keepsExtraColumns)
    }
}

/// Several workers on one PostgreSQL store: each file loads under a lease that its worker
/// renews every third of `leaseTTL`; a lease not renewed in time (a dead or paused worker)
/// expires, and the file and its slot go to another worker.
public struct WorkersDefinition: Sendable {
    public var leaseTTL: Duration = .seconds(30)

    public init() {}
}

/// Where supplier files come from.
public struct SourceDefinition: Sendable {
    /// A root directory whose subdirectories are suppliers, if declared.
    public var root: URL?
    /// Explicitly listed suppliers (name and directory or endpoint), if declared.
    public var suppliers: [SupplierDefinition]
    /// The declared suppliers that deliver into directories.
    public var directorySuppliers: [SupplierDefinition] { suppliers.filter { $0.path != nil } }
    /// Whether any supplier delivers into a directory (a root, or a declared path).
    public var hasDirectories: Bool { root != nil || !directorySuppliers.isEmpty }
    /// The declared suppliers that serve their files over HTTP.
    public var endpointSuppliers: [SupplierDefinition] { suppliers.filter { $0.endpoint != nil } }
    /// Glob patterns matched against file names, e.g. `*.csv`, `*.csv.gz`.
    public var patterns: [String]
    /// Field delimiter byte, `,` by default.
    public var delimiter: UInt8
    /// Rows per micro-batch: the unit that commits with its checkpoint.
    public var batchRows: Int
    /// What to do when a loaded file reappears with other content.
    public var onChange: ChangePolicy
    /// Field size, inflate and encoding settings for every file (a supplier may override the encoding).
    public var reader = ReaderOptions()
    /// What to do with the rows before the point where a file turns out corrupt or truncated.
    public var onCorrupt: CorruptFilePolicy = .reject
    /// What to do with a file whose content was already delivered under another name.
    public var onDuplicate: DuplicatePolicy = .load
    /// A micro-batch commits once this long has passed since its first row, even short of `batchRows`.
    public var maxDelay: Duration = .milliseconds(500)
    /// How `sluice stream` watches for files and decides they are complete.
    public var watch = WatchDefinition()
    /// The profile of every supplier that has none of its own (the profile keys under `source`).
    public var profile = SupplierProfile()
}

/// How a stream finds new files and tells when a supplier has finished writing one.
public struct WatchDefinition: Sendable {
    /// How often the directories are looked at; inotify only wakes the poller sooner.
    public var pollInterval: Duration = .seconds(1)
    /// A file is taken only once its modification time is at least this old.
    public var minAge: Duration = .seconds(2)
    /// ...and its size and modification time have not changed across polls for this long.
    public var stableFor: Duration = .zero
    /// When set, a file is taken only once its marker exists: `{name}.done` beside each file,
    /// or a fixed name such as `_SUCCESS` for every file of its folder.
    public var readyMarker: String?
    /// Every supplier is listed in full at least this often, even when its folders look unchanged
    /// (a file appended to in place does not change its folder).
    public var rescanInterval: Duration = .seconds(60)
    /// Wake the poller on inotify events (Linux); polling alone is always right.
    public var inotify = true

    public init() {}
}

/// Rows read before a file turned out truncated.
public enum CorruptFilePolicy: String, Sendable, CaseIterable {
    /// None of the file's rows load (the default): a truncated file is usually re-sent whole,
    /// and loading part of it would leave a gap nobody sees.
    case reject
    /// The rows before the cut load; the file is still quarantined with the reason. Corrupt
    /// (not truncated) gzip data loads nothing either way: which bytes were good is unknowable.
    case keep_good_rows
}

/// The same content delivered again under another name or by another supplier.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    case load
    /// Recorded as a duplicate of the earlier file and not loaded.
    case skip
}

/// One supplier and where it delivers: a directory, or an HTTP endpoint.
public struct SupplierDefinition: Sendable, Equatable {
    public var name: String
    /// The directory files are delivered into; nil for an endpoint.
    public var path: URL?
    /// The HTTP endpoint files are listed and downloaded from; nil for a directory.
    public var endpoint: EndpointDefinition?
    /// Overrides `limits.per_supplier_concurrency` for this supplier.
    public var concurrency: Int?
    /// Overrides `limits.rate` for this supplier: file opens per second, or for an endpoint
    /// every request it is sent (listing pages, downloads, retries).
    public var rate: Double?
    /// Overrides `limits.burst` for this supplier.
    public var burst: Int?
    /// Overrides `source.encoding` for this supplier.
    public var encoding: TextEncoding?
    /// How the supplier writes its files: the pipeline default with its named profile and
    /// its own keys applied.
    public var profile = SupplierProfile()
}

/// Concurrency caps and start staggering.
public struct LimitsDefinition: Sendable {
    /// Files open at once across all suppliers.
    public var maxConcurrency: Int
    /// Files open at once per supplier unless the supplier overrides it.
    public var perSupplierConcurrency: Int
    /// Suppliers per start group; groups start `stagger` apart.
    public var groupSize: Int
    /// Delay between the first starts of successive supplier groups.
    public var stagger: Duration
    /// Explicit start groups of supplier names; suppliers not named follow in groups of `groupSize`.
    public var groups: [[String]] = []
    /// Least time between two starts of the same supplier.
    public var startSpacing: Duration = .zero
    /// Token-bucket rate per supplier, in file opens per second (nil: unlimited).
    public var rate: Double?
    /// Tokens a supplier may save up.
    public var burst: Int = 1
    /// Which of a supplier's files start first.
    public var order: FileOrder = .oldest
}

/// The order a supplier's files start in.
public enum FileOrder: String, Sendable, CaseIterable {
    /// Oldest modification time first (delivery order), then name.
    case oldest
    case newest
    /// By relative path.
    case name
}

/// What happens to a source file once its last batch is committed.
public struct SettleDefinition: Sendable {
    public enum Action: String, Sendable, CaseIterable { case keep, archive, delete }
    public var afterLoad: Action
    public var archiveDirectory: URL?
}

/// Where the rows go.
public struct LoadDefinition: Sendable {
    /// The SQLite database that holds the staging table, quarantine and checkpoints (the default).
    public var database: URL
    /// The staging table, created from the schema when absent.
    public var table: String
    /// Set for `kind: postgres`: the staging table, quarantine and checkpoints are in PostgreSQL
    /// and `database` is not used.
    public var postgres: PostgresSettings?

    public init(database: URL, table: String, postgres: PostgresSettings? = nil) {
        self.database = database
        self.table = table
        self.postgres = postgres
    }

    /// The store as messages name it: a path, or a PostgreSQL address without its password.
    public var location: String { postgres?.description ?? database.path }
}
