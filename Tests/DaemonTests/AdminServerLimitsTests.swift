import Config
import Daemon
import Hummingbird
import Logging
import Testing
import TestSupport

/// The admin server of `run` (`/healthz`, `/readyz`, `/metrics`) has the SCIM server's limits,
/// over real sockets: a client that sends its head slowly loses the connection, and
/// connections beyond the cap wait until one closes.
@Suite("admin server: connection limits")
struct AdminServerLimitsTests {
    private static let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"

    /// Runs `body` with the port of an admin server with `limits`, as `run` starts it.
    private func withServer(_ limits: ServerLimits, _ body: @Sendable (Int) async throws -> Void) async throws {
        try await withListeningServer({ onServerRunning in
            AdminServer.application(
                HTTPConfig(host: "127.0.0.1", port: 0, limits: limits), states: PipelineStates(pipelines: ["p"]),
                metrics: DaemonMetrics(), logger: Logger(label: "scimsync-test"), onServerRunning: onServerRunning)
        }, body)
    }

    @Test func aHeadSentSlowlyClosesTheConnection() async throws {
        let limits = ServerLimits(headerTimeoutSeconds: 1, bodyTimeoutSeconds: 1, idleTimeoutSeconds: 600, maxConnections: 4)
        try await withServer(limits) { port in
            let slow = try RawHTTPConnection(port: port)
            #expect(await slow.send("GET /metrics HTTP/1.1\r\nHost: x\r\n"))
            #expect(await slow.readUntilClosed(limit: .seconds(60)) == "")
            // Everyone else is served.
            let client = try RawHTTPConnection(port: port)
            #expect(await client.send(Self.request))
            #expect(await client.received(within: .seconds(120)).hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Connections that never send a byte are closed after the header timeout, not held for
    /// the idle timeout: a few silent sockets cannot keep `/healthz` from answering.
    @Test func silentConnectionsAreClosedAfterTheHeaderTimeout() async throws {
        let limits = ServerLimits(headerTimeoutSeconds: 1, bodyTimeoutSeconds: 600, idleTimeoutSeconds: 600, maxConnections: 2)
        try await withServer(limits) { port in
            let silent = try (0..<2).map { _ in try RawHTTPConnection(port: port) }
            let waiting = try RawHTTPConnection(port: port)
            #expect(await waiting.send(Self.request))
            // Answered once the silent ones are closed: a second or so, not the idle 600 s.
            #expect(await waiting.received(within: .seconds(120)).hasPrefix("HTTP/1.1 200"))
            for connection in silent { #expect(await connection.readUntilClosed(limit: .seconds(120)) == "") }
        }
    }

    @Test func connectionsBeyondTheCapWaitUntilOneCloses() async throws {
        let limits = ServerLimits(headerTimeoutSeconds: 60, bodyTimeoutSeconds: 60, idleTimeoutSeconds: 60, maxConnections: 2)
        try await withServer(limits) { port in
            let holders = try (0..<2).map { _ in try RawHTTPConnection(port: port) }
            for holder in holders {
                #expect(await holder.send(Self.request))
                #expect(await holder.received(within: .seconds(120)).hasPrefix("HTTP/1.1 200"))
            }
            let waiting = try RawHTTPConnection(port: port)
            #expect(await waiting.send(Self.request))
            // Not accepted while two connections are open (a broken cap answers in milliseconds).
            #expect(await waiting.received(within: .seconds(1)) == "")
            holders[0].shutdown()
            #expect(await waiting.received(within: .seconds(120)).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func aRequestTheDecoderRefusesIsToldWhy() async throws {
        let limits = ServerLimits(headerTimeoutSeconds: 600, bodyTimeoutSeconds: 600, idleTimeoutSeconds: 600, maxConnections: 4)
        try await withServer(limits) { port in
            let client = try RawHTTPConnection(port: port)
            #expect(await client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nBad\0Name: 1\r\n\r\n"))
            client.closeSending()
            let answer = try #require(await client.readUntilClosed(limit: .seconds(300)))
            #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request"), "\(answer.prefix(200))")
            #expect(answer.contains("text/plain"))
            #expect(answer.hasSuffix("a header field has a character HTTP does not allow there (RFC 9110 §5.5)\n"))
        }
    }

    @Test func headIsAnsweredAsGetWithoutContent() async throws {
        let limits = ServerLimits(headerTimeoutSeconds: 600, bodyTimeoutSeconds: 600, idleTimeoutSeconds: 600, maxConnections: 4)
        try await withServer(limits) { port in
            let client = try RawHTTPConnection(port: port)
            #expect(await client.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            let answer = try #require(await client.readUntilClosed(limit: .seconds(300)))
            #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(answer.prefix(200))")
            #expect(answer.lowercased().contains("content-length: 3\r\n"), "\(answer)")
            #expect(answer.hasSuffix("\r\n\r\n"), "\(answer)")
        }
    }
}
