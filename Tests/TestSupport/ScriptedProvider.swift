import Foundation
import Hummingbird
import Synchronization
import NIOCore

/// A tiny HTTP server on loopback that answers each request with the next scripted response
/// (status, headers, body), and records what it received: for the tests of a provider that
/// misbehaves (fails on cue, answers about the wrong resource), which a real one cannot be
/// made to do.
public final class ScriptedProvider: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var retryAfter: String?
        public var body: String = ""
        /// Sends the body a byte at a time, this long apart (a provider that trickles).
        public var trickle: Duration?

        public init(status: Int, retryAfter: String? = nil, body: String = "", trickle: Duration? = nil) {
            self.status = status
            self.retryAfter = retryAfter
            self.body = body
            self.trickle = trickle
        }
    }

    /// What the handler shares with the test.
    final class State: Sendable {
        let script: Mutex<[Reply]>
        let log = Mutex<[Received]>([])

        init(_ replies: [Reply]) { script = Mutex(replies) }
    }

    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var query: [String: String]
        public var authorization: String?
        public var at: ContinuousClock.Instant
    }

    public let url: String
    private let state: State
    private let server: Task<Void, any Error>

    /// - Parameter replies: answered in order; the last one repeats.
    public init(_ replies: [Reply]) async throws {
        let state = State(replies)
        self.state = state
        let router = Router()
        let handler = Self.handler(state)
        router.get("**", use: handler)
        router.post("**", use: handler)
        router.patch("**", use: handler)
        router.put("**", use: handler)
        router.delete("**", use: handler)
        // Port 0: the kernel picks a free port at bind, so no other test can take it between
        // choosing and binding. The server says when it listens, and on which port: a test
        // waits for that, however long a machine running every suite at once takes.
        let (listening, signal) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in signal.yield(channel.localAddress?.port ?? 0) })
        server = Task {
            defer { signal.finish() }
            try await app.runService()
        }
        var events = listening.makeAsyncIterator()
        guard let port = await events.next(), port > 0 else {
            let reason: String
            if case .failure(let error) = await server.result { reason = "\(error)" } else { reason = "it stopped" }
            throw SCIMPeerFailed(reason: "the scripted provider did not start: \(reason)")
        }
        url = "http://127.0.0.1:\(port)"
    }

    deinit { server.cancel() }

    public var received: [Received] { state.log.withLock { $0 } }

    private static func handler(_ state: State) -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        { request, _ in
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            state.log.withLock {
                $0.append(Received(
                    method: request.method.rawValue, path: request.uri.path, query: query,
                    authorization: request.headers[.authorization], at: .now))
            }
            let reply = state.script.withLock { replies in replies.count > 1 ? replies.removeFirst() : replies[0] }
            var headers = HTTPFields()
            headers[.contentType] = "application/scim+json"
            if let retryAfter = reply.retryAfter { headers[.retryAfter] = retryAfter }
            if let pause = reply.trickle {
                let bytes = Array(reply.body.utf8)
                return Response(
                    status: .init(code: reply.status), headers: headers,
                    body: ResponseBody { writer in
                        for byte in bytes {
                            try await writer.write(ByteBuffer(bytes: [byte]))
                            try await Task.sleep(for: pause)
                        }
                        try await writer.finish(nil)
                    })
            }
            return Response(
                status: .init(code: reply.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: reply.body)))
        }
    }
}
