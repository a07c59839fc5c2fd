import Foundation

/// A throwaway PostgreSQL cluster for tests: `initdb` in a temporary folder owned by the
/// `postgres` user (initdb refuses root), listening on a unix socket in that folder only,
/// removed when the value goes. It can be stopped (also `-m immediate`, as a crash) and
/// started again. When it cannot start, `init` throws with the server's own log.
final class PostgresServer {
    let folder: URL
    var socketFolder: String { folder.path }
    var dataFolder: String { folder.appendingPathComponent("data").path }
    private let bin: URL

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() throws {
        guard let bin = Self.binaries() else {
            throw Failure(description: "no PostgreSQL server binaries (initdb, pg_ctl): install Debian's postgresql (make deps does)")
        }
        self.bin = bin
        folder = URL(fileURLWithPath: "/tmp/sluice-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: folder.path)
        }
        let initdb = try run("initdb", ["-D", dataFolder, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        guard initdb.status == 0 else { throw Failure(description: "initdb failed: \(initdb.output)") }
        try start()
    }

    deinit {
        _ = try? run("pg_ctl", ["-D", dataFolder, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: folder)
    }

    /// Starts the server and waits until it accepts connections.
    /// - Throws: `Failure` with the server's log when it does not come up.
    func start() throws {
        let options = "-k \(socketFolder) -c listen_addresses='' -c max_connections=40"
        let started = try run("pg_ctl", ["-D", dataFolder, "-l", folder.appendingPathComponent("server.log").path,
                                         "-o", options, "-w", "-t", "60", "start"])
        guard started.status == 0 else {
            let log = (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw Failure(description: "pg_ctl start failed: \(started.output)\n\(log.suffix(2_000))")
        }
    }

    /// Stops the server; `immediate` stops it as a crash would, with no checkpoint.
    func stop(immediate: Bool = false) throws {
        let stopped = try run("pg_ctl", ["-D", dataFolder, "-m", immediate ? "immediate" : "fast", "-w", "stop"])
        guard stopped.status == 0 else { throw Failure(description: "pg_ctl stop failed: \(stopped.output)") }
    }

    /// Every role but `postgres` must now give its password (SCRAM); `postgres` stays trusted, so
    /// the tests can still look inside.
    func requirePasswords() throws {
        let rules = "local all postgres trust\nlocal all all scram-sha-256\n"
        try rules.write(toFile: dataFolder + "/pg_hba.conf", atomically: false, encoding: .utf8)
        let reloaded = try run("pg_ctl", ["-D", dataFolder, "reload"])
        guard reloaded.status == 0 else { throw Failure(description: "pg_ctl reload failed: \(reloaded.output)") }
    }

    /// Runs SQL through `psql` and returns its unaligned output.
    func psql(_ sql: String, database: String = "postgres", user: String = "postgres") throws -> (status: Int32, output: String) {
        try run("psql", ["-h", socketFolder, "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql])
    }

    /// A server binary, run as the `postgres` user when this process is root.
    private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = bin.appendingPathComponent(tool).path
        let command = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        let output = folder.appendingPathComponent("tool-\(UUID().uuidString.prefix(8)).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = try spawnAndWait(command, output: output.path)
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// Debian keeps the server's tools out of PATH, under /usr/lib/postgresql/VERSION/bin.
    private static func binaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions {
            let bin = root.appendingPathComponent("\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("initdb").path) { return bin }
        }
        return nil
    }
}

/// Runs a command with its output in a file and waits for it with `waitpid`. Foundation's
/// `Process` waits until every process holding its watch descriptor has gone, and the server
/// `pg_ctl start` leaves behind would hold it for good.
func spawnAndWait(_ command: [String], output: String) throws -> Int32 {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let arguments = command.map { strdup($0) } + [nil]
    defer { arguments.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, command[0], &actions, nil, arguments, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // Exited normally: its code; killed by a signal: 128 + the signal, as a shell says.
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
}
