import Foundation
import HTTPLimits
import Hummingbird
import Logging
@testable import SCIMServer
import TestSupport
import Testing

/// The HTTP server's limits, over real sockets: clients that send slowly, stop halfway or
/// send a large body without a token lose their connection; everyone else is served.
@Suite("SCIM server: connection limits")
struct SCIMServerLimitsTests {
    private static let limits = HTTPServerLimits(
        headerTimeout: .seconds(1), bodyTimeout: .seconds(1), idleTimeout: .seconds(2), maxConnections: 3)

    /// Runs `body` with the port of a SCIM server over `fixture` (a new SQLite one by default)
    /// with `limits`, started as `serve` starts it.
    private func withServer(
        limits: HTTPServerLimits = limits, fixture: SCIMServerFixture? = nil, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let service = try (fixture ?? SCIMServerFixture(.sqlite)).service
        try await withListeningServer({ onServerRunning in
            SCIMApplication.make(service: service, host: "127.0.0.1", port: 0, limits: limits, onServerRunning: onServerRunning)
        }, body)
    }

    /// Idle connections are left alone for ten minutes: only the header and body timeouts can
    /// close a connection within the tests' bounds.
    private static let requestLimits = HTTPServerLimits(
        headerTimeout: .seconds(1), bodyTimeout: .seconds(1), idleTimeout: .seconds(600), maxConnections: 3)

    private static let validRequest = "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n\r\n"

    @Test func headersSentSlowlyCloseTheConnection() async throws {
        try await withServer(limits: Self.requestLimits) { port in
            let slow = try RawHTTPConnection(port: port)
            // Half a head, then nothing: the header timeout closes the connection.
            #expect(await slow.send("GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n"))
            #expect(await slow.readUntilClosed(limit: .seconds(60)) == "")
        }
    }

    @Test func anIdleConnectionIsClosed() async throws {
        try await withServer { port in
            let idle = try RawHTTPConnection(port: port)
            #expect(await idle.readUntilClosed() == "")
            // Kept alive after a request, then idle: closed too.
            let used = try RawHTTPConnection(port: port)
            #expect(await used.send(Self.validRequest))
            let answer = try #require(await used.readUntilClosed())
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func aBodyThatStopsHalfwayClosesTheConnection() async throws {
        try await withServer(limits: Self.requestLimits) { port in
            let stalled = try RawHTTPConnection(port: port)
            #expect(
                await stalled.send(
                    "POST /scim/v2/Users/.search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n"
                        + "Content-Type: application/scim+json\r\nContent-Length: 1000\r\n\r\n{\"schemas\":"))
            let answer = try #require(await stalled.readUntilClosed(limit: .seconds(60)))
            // RFC 9110 §15.5.9: a request that did not come in full in time is a 408.
            #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout"), "\(answer.prefix(200))")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
            #expect(answer.contains("\"status\":\"408\""), "\(answer)")
            #expect(answer.contains("body timeout (1 s)"), "\(answer)")
        }
    }

    @Test func anUnauthenticatedBodyIsAnswered401AndNotRead() async throws {
        // Timeouts far beyond the test's bound: only the early answer may close the
        // connection (a loaded machine may take longer than a short body timeout to answer).
        let patient = HTTPServerLimits(headerTimeout: .seconds(600), bodyTimeout: .seconds(600), idleTimeout: .seconds(600))
        try await withServer(limits: patient) { port in
            let intruder = try RawHTTPConnection(port: port)
            // 200 MiB announced; the server answers at the head and closes instead of reading it.
            #expect(
                await intruder.send(
                    "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Type: application/scim+json\r\n"
                        + "Content-Length: \(200 << 20)\r\n\r\n" + String(repeating: "x", count: 65_536)))
            let answer = try #require(await intruder.readUntilClosed(limit: .seconds(60)))
            #expect(answer.hasPrefix("HTTP/1.1 401"))
            #expect(answer.lowercased().contains("connection: close"))
        }
    }

    @Test func aDeclaredBodyBeyondTheLimitIsAnswered413AtTheHead() async throws {
        // Timeouts far beyond the test's bound: only the early answer may end the request.
        let patient = HTTPServerLimits(headerTimeout: .seconds(600), bodyTimeout: .seconds(600), idleTimeout: .seconds(600))
        try await withServer(limits: patient) { port in
            let large = try RawHTTPConnection(port: port)
            // 50 MB announced with a token, and no body sent: answered without waiting for it.
            #expect(
                await large.send(
                    "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n"
                        + "Content-Type: application/scim+json\r\nContent-Length: 50000000\r\n\r\n"))
            let answer = try #require(await large.readUntilClosed(limit: .seconds(60)))
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains("larger than"))
            #expect(answer.lowercased().contains("connection: close"))
        }
    }

    /// Timeouts far beyond any test's bound, for tests where only the server's answer may end
    /// the request (a loaded machine may take longer than a short timeout to answer).
    private static let patient = HTTPServerLimits(
        headerTimeout: .seconds(600), bodyTimeout: .seconds(600), idleTimeout: .seconds(600))

    @Test func aBrokenChunkedBodyIsA400NotA413() async throws {
        try await withServer(limits: Self.patient) { port in
            let broken = try RawHTTPConnection(port: port)
            #expect(
                await broken.send(
                    "POST /scim/v2/Users/.search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n"
                        + "Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"))
            let answer = try #require(await broken.readUntilClosed(limit: .seconds(60)))
            // RFC 7644 §3.12: a request body that cannot be read is an invalidSyntax.
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains("invalidSyntax"), "\(answer.prefix(400))")
        }
    }

    @Test func aRequestWhoseClientLeftWhileItWaitedIsNotServed() async throws {
        let fixture = try SCIMServerFixture(.sqlite)
        let patient = HTTPServerLimits(headerTimeout: .seconds(600), bodyTimeout: .seconds(600), idleTimeout: .seconds(600))
        try await withServer(limits: patient, fixture: fixture) { port in
            try await clientThatLeaves(port: port, fixture: fixture)
        }
    }

    /// A client that sends its whole request and closes its sending side at once: however
    /// the race with the server goes, the answer tells what happened. A 201 for a user that
    /// is there, a 400 "not served" only when nothing was written.
    @Test func anAnswerAfterTheClientClosedItsSideTellsWhatWasWritten() async throws {
        let fixture = try SCIMServerFixture(.sqlite)
        let users = fixture.quote(fixture.users)
        try await withServer(limits: Self.patient, fixture: fixture) { port in
            for round in 0..<30 {
                let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"half\#(round)"}"#
                let client = try RawHTTPConnection(port: port)
                #expect(
                    await client.send(
                        "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n"
                            + "Content-Type: application/scim+json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
                client.closeSending()
                let answer = try #require(await client.readUntilClosed(limit: .seconds(60)))
                let stored = try fixture.column("SELECT COUNT(*) FROM \(users) WHERE login = 'half\(round)'")
                if answer.hasPrefix("HTTP/1.1 201") {
                    #expect(stored == ["1"], "round \(round): 201 for a user that is not there")
                } else {
                    #expect(stored == ["0"], "round \(round): \(answer.prefix(60)) for a user that was created")
                }
            }
        }
    }

    private func clientThatLeaves(port: Int, fixture: SCIMServerFixture) async throws {
        // Every database connection busy until the test lets go.
        let pool = fixture.service.pool
        let gate = DispatchSemaphore(value: 0)
        let holders = (0..<3).map { _ in Task { try await pool.run { _ in gate.wait() } } }
        defer { for _ in holders { gate.signal() } }
        let create = { (name: String) in
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)"}"#
            return "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(SCIMServerFixture.token)\r\n"
                + "Content-Type: application/scim+json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        let leaving = try RawHTTPConnection(port: port)
        #expect(await leaving.send(create("gone")))
        let staying = try RawHTTPConnection(port: port)
        #expect(await staying.send(create("kept")))
        // Both wait for a connection; then one client leaves, and the server sees it go.
        try await until { pool.waitingCount == 2 }
        leaving.shutdown()
        try await until { pool.waitingForGoneClients == 1 }
        for _ in holders { gate.signal() }
        for holder in holders { try await holder.value }
        #expect(await staying.received(within: .seconds(120)).hasPrefix("HTTP/1.1 201"))
        #expect(try fixture.column("SELECT login FROM \(fixture.quote(fixture.users))") == ["kept"])
    }

    /// Polls `condition` every 10 ms for up to two minutes (a loaded machine is slow, never
    /// that slow).
    private func until(_ condition: () -> Bool) async throws {
        for _ in 0..<12_000 where !condition() {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(condition())
    }

    @Test func connectionsBeyondTheCapWaitAndAreServedOnceOthersClose() async throws {
        // Long timeouts: only the test closes the connections that hold the cap.
        let capped = HTTPServerLimits(headerTimeout: .seconds(60), idleTimeout: .seconds(60), maxConnections: 3)
        try await withServer(limits: capped) { port in
            // Each holder is served once, so the server has accepted all three before the
            // fourth connects (one accept loop may take several queued connections at once).
            let holders = try (0..<3).map { _ in try RawHTTPConnection(port: port) }
            for holder in holders {
                #expect(await holder.send(Self.validRequest))
                #expect(await holder.received(within: .seconds(120)).hasPrefix("HTTP/1.1 200"))
            }
            let waiting = try RawHTTPConnection(port: port)
            #expect(await waiting.send(Self.validRequest))
            // Not accepted while three connections are open (a broken cap answers in milliseconds).
            #expect(await waiting.received(within: .seconds(1)) == "")
            holders[0].shutdown()
            let answer = await waiting.received(within: .seconds(120))
            #expect(answer.hasPrefix("HTTP/1.1 200"))
        }
    }
}
