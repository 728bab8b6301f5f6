/// Why a call to Feishu failed. Descriptions name the API, Feishu's code and its message
/// (escaped and cut, ``PlatformText``), the `X-Tt-Logid` Feishu support asks for, and what to
/// change; never the app's secret or a token.
public enum FeishuError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token endpoint refused the app's credentials (10003 unknown app, 10014 wrong secret).
    case credentialsRefused(code: Int, message: String, keyPath: String)
    /// Feishu answered an API with a code other than 0.
    case refused(api: String, status: Int, code: Int, message: String, logID: String?)
    /// Feishu kept refusing an API for its rate limit after every retry.
    case rateLimited(api: String, attempts: Int)
    /// No answer (connection refused or reset, a timeout) or a server error (5xx).
    case unreachable(api: String, reason: String)
    /// An answer that is not Feishu's JSON (`{"code", "msg", "data"}`).
    case invalidAnswer(api: String, reason: String)

    /// Whether trying again later may work (the pipeline retries with backoff).
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .unreachable: true
        case .refused(_, let status, _, _, _): status >= 500
        case .credentialsRefused, .invalidAnswer: false
        }
    }

    public var description: String {
        switch self {
        case .credentialsRefused(let code, let message, let keyPath):
            "Feishu refused the app's credentials (code \(code): \(message)): check \(keyPath).appId and the "
                + "secret \(keyPath).appSecret reads from the environment"
        case .refused(let api, let status, let code, let message, let logID):
            "Feishu refused \(api) (HTTP \(status), code \(code): \(message)\(logID.map { ", log id \($0)" } ?? ""))"
                + Self.advice(code)
        case .rateLimited(let api, let attempts):
            "Feishu kept refusing \(api) for its rate limit (\(attempts) attempts); another client of the same app may be "
                + "using its quota"
        case .unreachable(let api, let reason):
            "Feishu did not answer \(api): \(reason)"
        case .invalidAnswer(let api, let reason):
            "Feishu's answer to \(api) is not what its documents describe: \(reason)"
        }
    }

    /// What to change, for the codes an operator can fix.
    private static func advice(_ code: Int) -> String {
        switch code {
        case 40004, 40014, 41050:
            ": the app's contact scope (通讯录权限范围) must include the whole directory"
        case 99991672, 99991679:
            ": grant the app the contact API permissions (contact:contact:readonly) and publish a version"
        default:
            ""
        }
    }
}
