/// Where a PostgreSQL store is and who connects to it. A field left out is libpq's to fill
/// from the standard `PG*` variables, `~/.pgpass` and its defaults, so a pipeline file never
/// needs a password in it.
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// A host name, or a socket folder (a path starting with `/`).
    public var host: String?
    public var port: Int?
    public var database: String?
    public var user: String?
    /// Passed through to libpq: disable, allow, prefer, require, verify-ca, verify-full.
    public var sslmode: String?
    /// The environment variable the password is read from, if not `PGPASSWORD` or `~/.pgpass`.
    public var passwordEnvironment: String?
    /// How long a run tries to reconnect when the server goes away; nil: the run stops at once
    /// (exit 4) and the next run resumes.
    public var reconnectFor: Duration?

    public init(host: String? = nil, port: Int? = nil, database: String? = nil, user: String? = nil,
                sslmode: String? = nil, passwordEnvironment: String? = nil, reconnectFor: Duration? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.sslmode = sslmode
        self.passwordEnvironment = passwordEnvironment
        self.reconnectFor = reconnectFor
    }

    /// How messages name the store: never with a password, whatever the settings hold.
    public var description: String {
        let who = user.map { "\($0)@" } ?? ""
        let at = host ?? "(PGHOST)"
        let onPort = port.map { ":\($0)" } ?? ""
        return "postgres://\(who)\(at)\(onPort)/\(database ?? "(PGDATABASE)")"
    }
}
