/// A store that cannot be opened, read or written.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, so a caller can tell a full disk from a busy store without reading the
    /// message. A struct over a private enum: kinds can be added without breaking a `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String { case busy, full, readOnly = "read-only", connectionLost = "connection lost", constraint, corrupt, cannotOpen = "cannot open", io = "I/O", other }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Another process holds the database and did not let go in time.
        public static let busy = Code(.busy)
        /// The disk (or a file-size limit) is full.
        public static let full = Code(.full)
        /// The store may not be written: a read-only file, folder or mount.
        public static let readOnly = Code(.readOnly)
        /// The connection to a database server went away.
        public static let connectionLost = Code(.connectionLost)
        /// A uniqueness or other constraint refused a write.
        public static let constraint = Code(.constraint)
        /// The database file is damaged or is not a database.
        public static let corrupt = Code(.corrupt)
        /// The database could not be opened at all.
        public static let cannotOpen = Code(.cannotOpen)
        /// The operating system failed a read or write.
        public static let io = Code(.io)
        /// Anything else, named by the message.
        public static let other = Code(.other)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    public let message: String
    public init(_ message: String, code: Code = .other) {
        self.message = message
        self.code = code
    }
    public var description: String { message }
}
