import AsyncHTTPClient
import Config
import Connectors
import Daemon
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

/// `/callbacks/<pipeline>` over real HTTP, as `run` serves it beside a token: the platform's
/// request reaches its pipeline's receiver without the admin token (the receiver authenticates
/// it), whatever answer the receiver gives goes back as it is, and everything else under the
/// prefix is refused before any receiver sees it.
@Suite("admin server: event callbacks")
struct CallbackRouteTests {
    /// Records what it is handed and answers what the test says.
    final class Recorder: CallbackReceiver {
        let seen = Mutex<[CallbackRequest]>([])
        let answer: CallbackAnswer

        init(answer: CallbackAnswer) { self.answer = answer }

        func receive(_ request: CallbackRequest) async -> CallbackAnswer {
            seen.withLock { $0.append(request) }
            return answer
        }
    }

    struct Answer {
        var status: Int
        var contentType: String
        var text: String
    }

    private func withServer(
        hub: CallbackHub?, metrics: DaemonMetrics = DaemonMetrics(),
        _ body: @Sendable (_ send: @Sendable (HTTPMethod, String, [UInt8]) async throws -> Answer) async throws -> Void
    ) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        try await withListeningServer({ onServerRunning in
            AdminServer.application(
                HTTPConfig(host: "127.0.0.1", port: 0, token: "admin-token-0123456789abcdef"),
                states: PipelineStates(pipelines: ["hr"]), metrics: metrics, callbacks: hub,
                logger: Logger(label: "scimsync-test"), onServerRunning: onServerRunning)
        }) { port in
            do {
                try await body { method, path, bytes in
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
                    request.method = method
                    request.headers.add(name: "X-Lark-Signature", value: "abc123")
                    if !bytes.isEmpty { request.body = .bytes(ByteBuffer(bytes: bytes)) }
                    let response = try await http.execute(request, timeout: .seconds(60))
                    let text = try await response.body.collect(upTo: 1 << 20)
                    return Answer(
                        status: Int(response.status.code), contentType: response.headers.first(name: "content-type") ?? "",
                        text: String(buffer: text))
                }
            } catch {
                try await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    @Test func aPlatformsRequestReachesItsPipelinesReceiverWithoutTheAdminToken() async throws {
        let hub = CallbackHub()
        var accepted = CallbackAnswer(status: 200, contentType: "application/json", body: Array(#"{"ok":1}"#.utf8))
        accepted.delivery = CallbackDelivery(queued: 2, duplicates: 1)
        let recorder = Recorder(answer: accepted)
        hub.register(recorder, pipeline: "hr")
        let metrics = DaemonMetrics()
        try await withServer(hub: hub, metrics: metrics) { send in
            let answer = try await send(.POST, "/callbacks/hr?msg_signature=a%2Bb&timestamp=17&nonce=x", Array(#"{"encrypt":"e"}"#.utf8))
            #expect(answer.status == 200 && answer.text == #"{"ok":1}"# && answer.contentType == "application/json")
            let echo = try await send(.GET, "/callbacks/hr?echostr=abc", [])
            #expect(echo.status == 200)

            let seen = recorder.seen.withLock { $0 }
            try #require(seen.count == 2)
            #expect(seen[0].method == "POST" && seen[1].method == "GET")
            #expect(seen[0].query == ["msg_signature": "a+b", "timestamp": "17", "nonce": "x"], "percent-decoded")
            #expect(seen[0].headers["x-lark-signature"] == "abc123", "header names are lower-cased")
            #expect(seen[0].body == Array(#"{"encrypt":"e"}"#.utf8))
            #expect(seen[1].query == ["echostr": "abc"])
        }
        let text = String(buffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
        #expect(text.contains(#"scimsync_callbacks_total{pipeline="hr",outcome="accepted"} 2"#), "\(text)")
        // What became of the events, per request: two requests answered with the same delivery.
        #expect(text.contains(#"scimsync_callback_events_total{pipeline="hr",outcome="queued"} 4"#), "\(text)")
        #expect(text.contains(#"scimsync_callback_events_total{pipeline="hr",outcome="duplicate"} 2"#), "\(text)")
        #expect(!text.contains(#"outcome="full_read""#), "\(text)")
    }

    @Test func refusalsUnknownPipelinesAndLargeBodiesAreAnsweredBeforeOrByTheReceiver() async throws {
        let hub = CallbackHub()
        let recorder = Recorder(answer: .refusal(401, "the signature does not verify\n"))
        hub.register(recorder, pipeline: "hr")
        let metrics = DaemonMetrics()
        try await withServer(hub: hub, metrics: metrics) { send in
            let refused = try await send(.POST, "/callbacks/hr", Array("{}".utf8))
            #expect(refused.status == 401 && refused.text == "the signature does not verify\n")
            let unknown = try await send(.POST, "/callbacks/payroll", Array("{}".utf8))
            #expect(unknown.status == 404 && unknown.text.contains("no pipeline receives callbacks"))
            let large = try await send(.POST, "/callbacks/hr", [UInt8](repeating: 0x61, count: 300 * 1024))
            #expect(large.status == 413)
            // The platforms send GET and POST: another method is a 405 that says so.
            let put = try await send(.PUT, "/callbacks/hr", Array("{}".utf8))
            #expect(put.status == 405 && put.text.contains("GET, HEAD, POST"), "\(put.status) \(put.text)")
            // Only the first request reached the receiver.
            #expect(recorder.seen.withLock { $0.count } == 1)
            // The rest of the admin server still wants the token.
            #expect(try await send(.GET, "/admin", []).status == 401)
        }
        let text = String(buffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
        #expect(text.contains(#"scimsync_callbacks_total{pipeline="hr",outcome="refused"} 2"#), "\(text)")
    }

    @Test func withoutReceiversTheCallbackPathsAreTheTokensToo() async throws {
        try await withServer(hub: nil) { send in
            let answer = try await send(.POST, "/callbacks/hr", Array("{}".utf8))
            #expect(answer.status == 401)
        }
    }
}
