import Foundation
import Testing

/// The throwaway PostgreSQL server the PostgreSQL store's tests run against: it starts on a
/// private socket, answers, survives a crash-like stop with what it committed, and goes away.
@Suite struct PostgresServerTests {
    @Test func startsAnswersAndKeepsCommittedRowsAcrossAnImmediateStop() throws {
        let server = try PostgresServer()
        let created = try server.psql("CREATE TABLE t (id bigint PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 1000)")
        #expect(created.status == 0, "\(created.output)")
        #expect(try server.psql("SELECT count(*) FROM t").output.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
        // Only the socket in its own folder: no TCP port is opened.
        #expect(try server.psql("SHOW listen_addresses").output.trimmingCharacters(in: .whitespacesAndNewlines) == "")
        #expect(FileManager.default.fileExists(atPath: server.socketFolder + "/.s.PGSQL.5432"))

        try server.stop(immediate: true)
        #expect(try server.psql("SELECT 1").status != 0, "a stopped server answers nothing")
        try server.start()
        #expect(try server.psql("SELECT count(*) FROM t").output.trimmingCharacters(in: .whitespacesAndNewlines) == "1000",
                "what committed before the crash is there after it")
    }

    @Test func twoServersRunSideBySide() throws {
        let first = try PostgresServer(), second = try PostgresServer()
        #expect(try first.psql("CREATE TABLE only_here (x int)").status == 0)
        #expect(try second.psql("SELECT count(*) FROM only_here").status != 0, "each test has its own cluster")
    }
}
