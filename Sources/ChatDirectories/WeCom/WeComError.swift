/// Why a call to WeCom failed. Descriptions name the API, WeCom's `errcode` and its `errmsg`
/// (escaped and cut, ``PlatformText``), which secret was used and what to change; never a
/// secret or a token.
public enum WeComError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `gettoken` refused the corp id or a secret (40001 wrong secret, 40013 wrong corp id,
    /// 41002/41004 missing).
    case credentialsRefused(secret: WeComSecret, code: Int, message: String, keyPath: String)
    /// WeCom answered an API with an `errcode` other than 0.
    case refused(api: String, secret: WeComSecret, code: Int, message: String)
    /// WeCom kept refusing an API for its frequency or concurrency limit after every retry.
    case rateLimited(api: String, attempts: Int)
    /// No answer (connection refused or reset, a timeout) or a server error (5xx).
    case unreachable(api: String, reason: String)
    /// An answer that is not WeCom's JSON (`{"errcode", "errmsg", ...}`).
    case invalidAnswer(api: String, reason: String)

    /// Whether trying again later may work (the pipeline retries with backoff).
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .unreachable: true
        case .refused(_, _, let code, _): code == WeComAnswer.busy || WeComAnswer.limitCodes.contains(code)
        case .credentialsRefused, .invalidAnswer: false
        }
    }

    public var description: String {
        switch self {
        case .credentialsRefused(let secret, let code, let message, let keyPath):
            "WeCom refused \(keyPath).\(secret.key), \(secret.role) (errcode \(code): \(message))"
                + Self.credentialAdvice(code, secret: secret, keyPath: keyPath)
        case .refused(let api, let secret, let code, let message):
            "WeCom refused \(api) with the \(secret.key) token (errcode \(code): \(message))" + Self.advice(code, secret: secret)
        case .rateLimited(let api, let attempts):
            "WeCom kept refusing \(api) for its frequency limit (\(attempts) attempts); another client of the same corp may be "
                + "using its quota (10,000 calls a minute and 150,000 an hour per API)"
        case .unreachable(let api, let reason):
            "WeCom did not answer \(api): \(reason)"
        case .invalidAnswer(let api, let reason):
            "WeCom's answer to \(api) is not what its documents describe: \(reason)"
        }
    }

    private static func credentialAdvice(_ code: Int, secret: WeComSecret, keyPath: String) -> String {
        switch code {
        case 40013, 41002:
            ": check \(keyPath).corpId (the corp id, ww…)"
        default:
            ": check \(keyPath).corpId and the secret \(keyPath).\(secret.key) reads from the environment"
        }
    }

    /// What to change, for the codes an operator can fix.
    private static func advice(_ code: Int, secret: WeComSecret) -> String {
        switch code {
        case 48002 where secret == .app:
            ": \(WeComSecret.app.key) must be a self-built app's Secret; the contact-sync Secret may not read users' "
                + "fields from an IP trusted since 2022-08-15"
        case 48002:
            ": this call needs \(WeComSecret.contactSync.role)"
        case 60011:
            ": the app's visible range (可见范围) must include the whole corp"
        case 60020:
            ": add this host's IP to the app's trusted IPs (企业可信IP)"
        default:
            ""
        }
    }
}
