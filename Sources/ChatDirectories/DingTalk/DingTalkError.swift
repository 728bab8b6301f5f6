/// Why a call to DingTalk failed. Descriptions name the API, DingTalk's `errcode` (and
/// `sub_code`) and its message (escaped and cut, ``PlatformText``), the `request_id` DingTalk
/// support asks for, and what to change; never the app's secret or a token.
public enum DingTalkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token endpoint refused the app's credentials (40096 wrong key or secret, 40089,
    /// 40035 no key).
    case credentialsRefused(code: Int, message: String, keyPath: String)
    /// DingTalk answered an API with an `errcode` other than 0.
    case refused(api: String, code: Int, subCode: String?, message: String, requestID: String?)
    /// DingTalk kept refusing an API for its rate limit after every retry.
    case rateLimited(api: String, attempts: Int)
    /// No answer (connection refused or reset, a timeout) or a server error (5xx).
    case unreachable(api: String, reason: String)
    /// An answer that is not DingTalk's JSON (`{"errcode", "errmsg", …}`).
    case invalidAnswer(api: String, reason: String)

    /// Whether trying again later may work (the pipeline retries with backoff).
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .unreachable: true
        // -1: "系统繁忙" (the error table's "system busy, try again").
        case .refused(_, let code, _, _, _): code == -1
        case .credentialsRefused, .invalidAnswer: false
        }
    }

    public var description: String {
        switch self {
        case .credentialsRefused(let code, let message, let keyPath):
            "DingTalk refused the app's credentials (errcode \(code): \(message)): check \(keyPath).appKey and the "
                + "secret \(keyPath).appSecret reads from the environment"
        case .refused(let api, let code, let subCode, let message, let requestID):
            "DingTalk refused \(api) (errcode \(code)\(subCode.map { ", sub_code \($0)" } ?? ""): \(message)"
                + "\(requestID.map { ", request id \($0)" } ?? ""))" + Self.advice(code, subCode)
        case .rateLimited(let api, let attempts):
            "DingTalk kept refusing \(api) for its rate limit (\(attempts) attempts); another client of the same app "
                + "or the same address may be using its quota"
        case .unreachable(let api, let reason):
            "DingTalk did not answer \(api): \(reason)"
        case .invalidAnswer(let api, let reason):
            "DingTalk's answer to \(api) is not what its documents describe: \(reason)"
        }
    }

    /// What to change, for the codes an operator can fix.
    private static func advice(_ code: Int, _ subCode: String?) -> String {
        switch subCode ?? String(code) {
        case "60011":
            ": the app's contact scope (通讯录权限范围) must include the whole organisation"
        case "60020":
            ": add this server's egress address to the app's server IP whitelist (服务器出口IP)"
        default:
            ""
        }
    }
}
