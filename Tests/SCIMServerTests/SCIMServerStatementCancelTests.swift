import Foundation
import HTTPLimits
import Hummingbird
@testable import SCIMServer
import TestSupport
import Testing

/// A client that leaves while its request's statement runs: the database stops the statement
/// (MariaDB's KILL QUERY, PostgreSQL's cancel request, SQLite's interrupt) and the connection
/// serves the next request, instead of working for nobody until the statement ends.
@Suite("SCIM server: a client that leaves stops its statement")
struct SCIMServerStatementCancelTests {
    /// Half an hour per read of the users: far beyond the test's bound, so only a stopped
    /// statement lets the test pass.
    private static let seconds = 1800

    /// Not SQL Server: the test double has no views; `SQLServerServeCancelTests` makes its
    /// statement slow with another session's lock instead.
    @Test(arguments: [Backend.sqlite, .mariadb, .postgres])
    func aRunningStatementStopsWhenItsClientLeaves(backend: Backend) async throws {
        let fixture = try SCIMServerFixture(backend)
        _ = try await fixture.withClient { try await $0.createUser("slow") }
        try makeUsersSlow(fixture)
        let pool = fixture.service.pool
        let patient = HTTPServerLimits(headerTimeout: .seconds(600), bodyTimeout: .seconds(600), idleTimeout: .seconds(600))
        let request = { (path: String) in
            "GET /scim/v2/\(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n\r\n"
        }
        try await withListeningServer({ onServerRunning in
            SCIMApplication.make(
                service: fixture.service, host: "127.0.0.1", port: 0, limits: patient, onServerRunning: onServerRunning)
        }) { port in
            let leaving = try RawHTTPConnection(port: port)
            #expect(await leaving.send(request("Users")))
            try #require(try await eventually { pool.busyCount == 1 })
            if backend != .sqlite {
                // The statement is running on the server (SQLite has no such view: its cancel
                // is repeated until the request lets go, so it may come first).
                try #require(try await eventually { try slowStatements(fixture) == 1 })
            }
            leaving.shutdown()
            try #require(try await eventually { pool.busyCount == 0 })
            if backend != .sqlite {
                #expect(try await eventually { try slowStatements(fixture) == 0 })
            }
            // The connections serve the next client.
            let next = try RawHTTPConnection(port: port)
            #expect(await next.send(request("Groups")))
            #expect(await next.received(within: .seconds(120)).hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Replaces the users table by a view of it whose every read takes ``seconds``.
    private func makeUsersSlow(_ fixture: SCIMServerFixture) throws {
        let users = fixture.quote(fixture.users)
        let rows = fixture.quote(fixture.users + "_rows")
        let slow =
            switch fixture.backend {
            case .mariadb: "SLEEP(\(Self.seconds)) = 0"
            case .postgres: "(SELECT count(*) FROM pg_sleep(\(Self.seconds))) = 1"
            // About ten million steps a second.
            case .sqlserver: "1 = 1"
            case .sqlite:
                "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(Self.seconds * 10_000_000)) SELECT count(*) FROM c) > 0"
            }
        let rename =
            fixture.backend == .mariadb ? "RENAME TABLE \(users) TO \(rows)" : "ALTER TABLE \(users) RENAME TO \(rows)"
        _ = try fixture.query(rename)
        _ = try fixture.query("CREATE VIEW \(users) AS SELECT * FROM \(rows) WHERE \(slow)")
    }

    /// How many statements on the users view the server runs now, besides this one.
    private func slowStatements(_ fixture: SCIMServerFixture) throws -> Int {
        let pattern = "'%\(fixture.users)%'"
        let sql =
            switch fixture.backend {
            case .mariadb:
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE \(pattern) AND ID <> CONNECTION_ID()"
            case .postgres:
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE \(pattern) AND state = 'active' AND pid <> pg_backend_pid()"
            case .sqlite, .sqlserver: "SELECT 0"
            }
        return Int(try fixture.column(sql).first ?? "") ?? -1
    }
}
