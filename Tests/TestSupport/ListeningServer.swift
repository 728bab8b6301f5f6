import Hummingbird
import NIOCore

/// Runs `body` with the port of the application `make` builds, listening on loopback port 0
/// (the kernel picks a free port at bind, so no other test can take it first), and stops it
/// afterwards. `make` gets the callback to pass as the application's `onServerRunning`.
///
/// For tests of a server's own limits: HummingbirdTesting's live mode builds its own server
/// and drops the connection cap.
public func withListeningServer<App: ApplicationProtocol>(
    _ make: (_ onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> App,
    _ body: (Int) async throws -> Void
) async throws {
    let (listening, signal) = AsyncStream.makeStream(of: Int.self)
    let app = make { channel in signal.yield(channel.localAddress?.port ?? 0) }
    let server = Task {
        defer { signal.finish() }
        try await app.runService()
    }
    defer { server.cancel() }
    var events = listening.makeAsyncIterator()
    guard let port = await events.next(), port > 0 else {
        throw ServerDidNotStart(outcome: "\(await server.result)")
    }
    try await body(port)
}

/// The application stopped before it listened.
public struct ServerDidNotStart: Error, CustomStringConvertible {
    public var outcome: String
    public var description: String { "the server did not start: \(outcome)" }
}
