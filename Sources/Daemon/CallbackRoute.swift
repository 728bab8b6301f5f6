import Connectors
import HTTPLimits
import Hummingbird
import NIOCore

/// `/callbacks/<pipeline>`: where a platform delivers its event callbacks (GET for WeCom's URL
/// check, POST for events). The platform cannot send the admin token, so the token middleware
/// lets these paths through and the pipeline's receiver authenticates each request by the
/// platform's own rules (signature, encryption, verification token): an unsigned request is
/// refused there. The receiver answers at once (it queues what it read), well within the
/// platforms' deadlines (WeCom 1 s for its URL check, Feishu 3 s).
enum CallbackRoute {
    static let prefix = "/callbacks/"
    /// A contact event is a few KiB at most (DingTalk lists up to 100 ids in one); a larger body
    /// is not a platform's.
    static let maxBodyBytes = 256 * 1024

    static func add(to router: Router<AdminRequestContext>, hub: CallbackHub, metrics: DaemonMetrics) {
        let handle = { @Sendable (request: Request, context: AdminRequestContext) async throws -> Response in
            let pipeline = context.parameters.get("pipeline") ?? ""
            guard let receiver = hub.receiver(pipeline: pipeline) else {
                return text(.notFound, "no pipeline receives callbacks at this path\n")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBodyBytes)
            } catch {
                metrics.callback(pipeline: pipeline, outcome: "refused")
                return text(.contentTooLarge, "a callback's body is at most \(maxBodyBytes) bytes\n")
            }
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let answer = await receiver.receive(
                CallbackRequest(
                    method: request.method.rawValue, query: query, headers: headers, body: Array(buffer: body)))
            metrics.callback(pipeline: pipeline, outcome: answer.status < 400 ? "accepted" : "refused")
            metrics.callbackEvents(pipeline: pipeline, answer.delivery)
            return Response(
                status: .init(code: answer.status), headers: [.contentType: answer.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.get("callbacks/:pipeline", use: handle)
        router.post("callbacks/:pipeline", use: handle)
        MethodNotAllowed.refuse(on: router, path: "callbacks/:pipeline", allowing: [.get, .post]) { allow in
            text(.methodNotAllowed, "the platforms send GET and POST here (\(allow))\n")
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
