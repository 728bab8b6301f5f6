import SCIM

/// One answer of WeCom's server API: always HTTP 200 with `errcode` and `errmsg` (0 and "ok",
/// "created", "updated" or "deleted" on success), the answer's fields beside them. Match on
/// `errcode`, never on `errmsg`: WeCom words its messages freely and appends a hint, the
/// caller's IP and a link (", hint: [...], from ip: ..., more info at ...").
struct WeComAnswer: Sendable {
    var status: Int
    var code: Int
    /// WeCom's `errmsg`, escaped and cut (``PlatformText``).
    var message: String
    var body: SCIMObject

    /// An access token that is invalid (40014) or expired (42001): "access_token 过期或无效时，
    /// 需要重新获取" (获取access_token). A new token and one more call cure them. (42009 is a
    /// third-party suite token's expiry, which a self-built app's calls never meet.)
    static let tokenCodes: Set<Int> = [40014, 42001]
    /// "api freq out of limit" (45009: a frequency window is used up, and WeCom refuses the
    /// API for that window's whole length) and "api concurrent out of limit" (45033: too many
    /// calls to one API in flight). Neither says how long to wait.
    static let limitCodes: Set<Int> = [45009, 45033]
    /// "系统繁忙，此时请开发者稍候再试" (global error codes, -1).
    static let busy = -1

    var isTokenRefused: Bool { Self.tokenCodes.contains(code) }
    var isRateLimited: Bool { Self.limitCodes.contains(code) }

    init(status: Int, json: SCIMValue?, api: String) throws(WeComError) {
        guard case .object(let body)? = json else {
            if status >= 500 { throw .unreachable(api: api, reason: "HTTP \(status)") }
            throw .invalidAnswer(api: api, reason: "HTTP \(status) without a JSON object")
        }
        guard case .integer(let code)? = body["errcode"] else {
            if status >= 500 { throw .unreachable(api: api, reason: "HTTP \(status)") }
            throw .invalidAnswer(api: api, reason: "no \"errcode\" (HTTP \(status))")
        }
        self.status = status
        self.code = Int(code)
        message = PlatformText.safe(body["errmsg"]?.stringValue ?? "")
        self.body = body
    }
}
