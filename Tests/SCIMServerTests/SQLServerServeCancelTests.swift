import Foundation
import HTTPLimits
import Hummingbird
@testable import SCIMServer
import SQLServerClient
import TestSupport
import Testing

/// `scimsync serve` over SQL Server: a client that leaves while its request's statement runs
/// has the statement stopped (an attention the connection's own thread sends, see
/// `SQLServerInterrupt`), and the pool serves the next client.
///
/// The statement is slow the way SQL Server statements are in practice: it waits for a lock
/// another session holds (an uncommitted UPDATE of the users table; READ COMMITTED readers
/// wait for it). The test double of this test has a lock timeout of ten minutes, far beyond
/// the test's bounds; a real server (SCIMSYNC_TEST_SQLSERVER_URL) waits for a lock without
/// limit. The target's query timeout (a minute) would end the wait too: the test bounds the
/// stop well below it.
@Suite("SCIM server: a client that leaves stops its SQL Server statement")
struct SQLServerServeCancelTests {
    @Test func aStatementWaitingForALockStopsWhenItsClientLeaves() async throws {
        let server =
            SQLServerTestServer.isRealServer
            ? try SQLServerTestServer.server() : try SQLServerTestServer.privatePeer(arguments: ["--lock-timeout", "600"])
        // One connection: the next request is served by the connection whose statement was
        // stopped (the pool keeps it: a failed statement is not a failed connection).
        let fixture = try SCIMServerFixture(.sqlserver, sqlServer: server, poolSize: 1)
        _ = try await fixture.withClient { try await $0.createUser("held") }
        let database = try connection(fixture)
        let stoppedBefore = SQLServerTestServer.isRealServer ? 0 : try peerStoppedStatements(database)

        // Another session changes the users and does not commit: readers of the table wait.
        let holder = try connection(fixture)
        try holder.begin()
        try holder.execute("UPDATE \(fixture.quote(fixture.users)) SET title = N'held'")

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
            leaving.shutdown()
            // The request lets go of its connection only once the statement is over: without a
            // cancel, that is a minute away, when the target's query timeout cancels it (the
            // lock waits themselves would last ten minutes on this double, for ever on a real
            // server). A cancel takes a second or two.
            let left = ContinuousClock.now
            try #require(try await eventually(timeout: .seconds(40)) { pool.busyCount == 0 })
            #expect(ContinuousClock.now - left < .seconds(40))
            if SQLServerTestServer.isRealServer {
                #expect(try await eventually { try blockedRequests(database) == 0 })
            } else {
                #expect(try await eventually { try peerStoppedStatements(database) == stoppedBefore + 1 })
            }

            try holder.rollback()
            // The same connection serves the next client.
            let next = try RawHTTPConnection(port: port)
            #expect(await next.send(request("Users")))
            let reply = await next.received(within: .seconds(120))
            #expect(reply.hasPrefix("HTTP/1.1 200"))
            #expect(reply.contains("held"))
        }
    }

    private func connection(_ fixture: SCIMServerFixture) throws -> SQLServerConnection {
        guard case .sqlserver(let config) = fixture.endpoint.connection else { throw FixtureError.notSQLServer }
        return try SQLServerConnection(
            host: config.host, port: config.port, user: config.user, password: config.password, database: config.database,
            encryption: .off)
    }

    /// Statements an attention stopped while they ran, as the double counts them
    /// (`sys.sp_peer_stats`, a test-only extension).
    private func peerStoppedStatements(_ connection: SQLServerConnection) throws -> Int {
        let rows = try connection.query("EXEC sys.sp_peer_stats")
        guard case .int(let count) = rows.first?["cancelled_statements"] else { return -1 }
        return Int(count)
    }

    /// Requests a real server has waiting for another session's lock.
    private func blockedRequests(_ connection: SQLServerConnection) throws -> Int {
        let rows = try connection.query("SELECT COUNT(*) AS n FROM sys.dm_exec_requests WHERE blocking_session_id <> 0")
        guard case .int(let count) = rows.first?["n"] else { return -1 }
        return Int(count)
    }

    private enum FixtureError: Error { case notSQLServer }
}
