import SCIM

/// One answer of DingTalk's old-style API (oapi.dingtalk.com): HTTP 200 with `{"errcode",
/// "errmsg", "request_id", …}`, an authentication failure wrapped as `errcode` 88 with the
/// reason in the string `sub_code`. Or not DingTalk's JSON at all: the per-address limit
/// answers `{"status":1111,"wait":5,"source":"x5","punish":"deny",…}` without an `errcode`
/// ("限流不会返回对应的错误码"), and a gateway in trouble may answer anything.
struct DingTalkAnswer: Sendable {
    var status: Int
    var code: Int
    /// `sub_code` when DingTalk gave one (a string in its answers; a number is read too).
    var subCode: String?
    /// `errmsg`, with `sub_msg` after it when given, escaped and cut (``PlatformText``).
    var message: String
    var body: SCIMObject
    /// `request_id`, what DingTalk's support asks for.
    var requestID: String?
    /// The answer is a throttling refusal that is not DingTalk's JSON (the per-address limit).
    var isThrottleBody = false

    /// Codes of a token DingTalk no longer accepts: 40014 unknown ("不合法的access_token"),
    /// 42001 expired ("access_token超时"); seen bare in the error table and as the `sub_code`
    /// of 88. A new token and one more call cure them.
    static let tokenCodes: Set<String> = ["40014", "42001"]
    /// Rate-limit codes: 90006 "this app's credentials called this API too often" (the error
    /// table; what the simulator answers over 20 a second per app and API), 90018 and 90002
    /// (the per-app and global dimensions of "调用频率限制"), 90019 (the same for third-party
    /// apps). DingTalk gives no wait: back off and repeat.
    static let rateLimitCodes: Set<String> = ["90002", "90006", "90018", "90019"]
    /// The wrapper of authentication and gateway failures.
    static let wrapped = 88

    var isTokenRefused: Bool { means(Self.tokenCodes) }
    var isRateLimited: Bool { isThrottleBody || means(Self.rateLimitCodes) }

    /// Whether the `errcode`, or the `sub_code` of an 88, is one of `codes`.
    private func means(_ codes: Set<String>) -> Bool {
        codes.contains(String(code)) || (code == Self.wrapped && subCode.map(codes.contains) == true)
    }

    /// `result`, where a topapi answer carries what was asked for.
    var result: SCIMValue? { body["result"] }

    init(status: Int, json: SCIMValue?, api: String) throws(DingTalkError) {
        guard case .object(let body)? = json else {
            if status >= 500 { throw .unreachable(api: api, reason: "HTTP \(status)") }
            // "限流不会返回对应的错误码": a refusal that is not JSON is taken as the limit.
            self.init(status: status, code: -1, body: SCIMObject(), throttled: true)
            return
        }
        guard case .integer(let code)? = body["errcode"] else {
            if body["punish"] != nil || body["status"] != nil {
                self.init(status: status, code: -1, body: body, throttled: true)
                return
            }
            if status >= 500 { throw .unreachable(api: api, reason: "HTTP \(status)") }
            throw .invalidAnswer(api: api, reason: "no \"errcode\" (HTTP \(status))")
        }
        self.init(status: status, code: Int(code), body: body, throttled: false)
    }

    private init(status: Int, code: Int, body: SCIMObject, throttled: Bool) {
        self.status = status
        self.code = code
        self.body = body
        isThrottleBody = throttled
        switch body["sub_code"] {
        case .string(let text)?: subCode = PlatformText.safe(text, limit: 20)
        case .integer(let number)?: subCode = String(number)
        default: subCode = nil
        }
        var text = body["errmsg"]?.stringValue ?? (throttled ? "throttled (no errcode)" : "")
        if let sub = body["sub_msg"]?.stringValue, !sub.isEmpty, !text.contains(sub) { text += " (\(sub))" }
        message = PlatformText.safe(text)
        requestID = body["request_id"]?.stringValue.map { PlatformText.safe($0, limit: 80) }
    }
}
