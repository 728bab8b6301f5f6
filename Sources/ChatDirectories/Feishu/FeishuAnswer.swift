import Foundation
import SCIM

/// One answer of Feishu's open platform: `{"code", "msg", "data"}` (a refusal: `{"code",
/// "msg", "error": {"log_id"}}`), with the HTTP status and the headers a client acts on.
struct FeishuAnswer: Sendable {
    var status: Int
    var code: Int
    /// Feishu's message, escaped and cut (``PlatformText``).
    var message: String
    var body: SCIMObject
    /// `x-ogw-ratelimit-reset`: whole seconds until the limit's window admits calls again.
    var reset: Duration?
    /// `X-Tt-Logid`, what Feishu's support asks for.
    var logID: String?

    /// Codes of an access token that is missing, expired or not a tenant token (the generic
    /// error table: 99991661 missing, 99991663 invalid or expired, 99991668 a user token where
    /// a tenant token is due): a new tenant token and one more call cure them.
    static let tokenCodes: Set<Int> = [99991661, 99991663, 99991668]
    /// The rate limit's code (频控策略: HTTP 429, code 99991400).
    static let rateLimitCode = 99991400

    var isTokenRefused: Bool { Self.tokenCodes.contains(code) }
    var isRateLimited: Bool { status == 429 || code == Self.rateLimitCode }

    /// `data`, which a successful answer carries as an object.
    var data: SCIMObject? { body["data"]?.objectValue }

    init(status: Int, json: SCIMValue?, reset: String?, logID: String?, api: String) throws(FeishuError) {
        guard case .object(let body)? = json else {
            if status == 429 {
                self.init(status: status, code: Self.rateLimitCode, message: "", body: SCIMObject(), reset: reset, logID: logID)
                return
            }
            if status >= 500 { throw .unreachable(api: api, reason: "HTTP \(status)") }
            throw .invalidAnswer(api: api, reason: "HTTP \(status) without a JSON object")
        }
        guard case .integer(let code)? = body["code"] else {
            if status >= 500 { throw .unreachable(api: api, reason: "HTTP \(status)") }
            throw .invalidAnswer(api: api, reason: "no \"code\" (HTTP \(status))")
        }
        self.init(
            status: status, code: Int(code), message: PlatformText.safe(body["msg"]?.stringValue ?? ""), body: body,
            reset: reset, logID: logID)
    }

    private init(status: Int, code: Int, message: String, body: SCIMObject, reset: String?, logID: String?) {
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        self.reset = reset.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { .seconds(max($0, 0)) }
        self.logID = logID.map { PlatformText.safe($0, limit: 80) }
    }
}
