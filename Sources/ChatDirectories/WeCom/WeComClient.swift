import AsyncHTTPClient
import Connectors
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SCIM
import Synchronization

/// A client of WeCom's server API (`https://qyapi.weixin.qq.com/cgi-bin/...`) for one corp:
/// one access token per secret (``AccessTokenCache``, shared by every client of the process
/// holding the same secret, as WeCom gives the same token to every `gettoken` while it
/// lives), every call paced per API (``RequestPacer`` at WeCom's documented frequency),
/// 45009/45033 refusals backed off (``LimitRetry``), a refused token (40014, 42001) replaced
/// and the call made once more.
///
/// Every request goes through ``call(_:api:secret:query:body:)``: the one place that adds the
/// token, sends, and decodes `errcode`/`errmsg`, reads and (later) writes alike.
///
/// WeCom takes the secret and the token in the query string, so they are in request URLs and
/// nowhere else: not in errors (a transport error's text is scrubbed of both), logs or this
/// type's description. Redirects are not followed, so neither reaches another host.
public final class WeComClient: Sendable, CustomStringConvertible {
    /// The API's origin without a trailing slash (`https://qyapi.weixin.qq.com`).
    public let baseURL: String
    public let corpID: String
    private let tokens: [WeComSecret: AccessTokenCache<ContinuousClock>]
    private let secrets: [WeComSecret: String]
    private let pacer: RequestPacer<ContinuousClock>
    private let retry: LimitRetry
    private let http: HTTPClient
    private let logger: Logger
    /// How long one call may take, from sending to the whole answer received.
    private let timeout: Duration

    /// WeCom's frequency limits: "每企业调用单个cgi/api不可超过1万次/分，15万次/小时" (访问频率限制),
    /// counted per corp and API; past either window WeCom refuses the API (45009) for that
    /// window's whole length, so calls are paced below both rather than retried into them.
    public static let apiWindows: [RateWindow] = [.perMinute(10_000), RateWindow(150_000, per: .seconds(3600))]

    /// WeCom's limit codes carry no wait; a window's block lasts up to a minute (the minute
    /// window): back off from a second to a minute, nine retries (about four minutes), so a
    /// minute's block is outlasted and an hour's fails the pass for the pipeline to retry.
    public static let limitRetry = LimitRetry(
        backoff: .init(initialDelay: .seconds(1), maximumDelay: .seconds(60)), maximumAttempts: 10)

    /// - Parameters:
    ///   - secrets: the secrets given (the app's for reads, the contact-sync one for writes).
    ///   - keyPath: where the corp's settings are in the configuration, for messages.
    ///   - pacer: the corp's pacer; by default the one the process shares for this corp.
    public init(
        baseURL: String, corpID: String, secrets: [WeComSecret: String], keyPath: String = "source.wecom",
        pacer: RequestPacer<ContinuousClock>? = nil, retry: LimitRetry = WeComClient.limitRetry,
        timeout: Duration = .seconds(30), logger: Logger
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.corpID = corpID
        self.secrets = secrets
        self.pacer = pacer ?? .shared(app: "wecom:\(base):\(corpID)", defaultWindows: Self.apiWindows)
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
        let http = Self.sharedHTTPClient
        self.http = http
        var tokens: [WeComSecret: AccessTokenCache<ContinuousClock>] = [:]
        for (kind, secret) in secrets {
            tokens[kind] = Self.tokenCache(
                http: http, base: base, corpID: corpID, kind: kind, secret: secret, keyPath: keyPath, timeout: timeout)
        }
        self.tokens = tokens
    }

    public var description: String { "WeComClient(\(corpID) at \(baseURL))" }

    /// Whether `secret` was given.
    public func has(_ secret: WeComSecret) -> Bool { tokens[secret] != nil }

    /// Tokens fetched so far with `secret` (by every client sharing its cache).
    public func tokensFetched(_ secret: WeComSecret) async -> Int {
        await tokens[secret]?.fetches ?? 0
    }

    /// One pool for every WeCom client of the process; redirects are refused.
    private static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The token caches of the process, one per origin, corp and secret (and the role it was
    /// given in, which its messages name): "有效期内重复获取返回
    /// 相同结果" (获取access_token), so every pipeline holding a secret shares its token and its
    /// refreshes. (The secret is a key in memory here, never printed.)
    private static let sharedTokens = Mutex<[String: AccessTokenCache<ContinuousClock>]>([:])

    private static func tokenCache(
        http: HTTPClient, base: String, corpID: String, kind: WeComSecret, secret: String, keyPath: String,
        timeout: Duration
    ) -> AccessTokenCache<ContinuousClock> {
        let key = [base, corpID, kind.rawValue, secret].joined(separator: "\u{0}")
        return sharedTokens.withLock { caches in
            if let cache = caches[key] { return cache }
            let cache = AccessTokenCache(clock: ContinuousClock()) {
                try await fetchToken(
                    http: http, base: base, corpID: corpID, kind: kind, secret: secret, keyPath: keyPath, timeout: timeout)
            }
            caches[key] = cache
            return cache
        }
    }

    /// A call of `api` (`user/list`) with `secret`'s token, paced; the whole answer on success
    /// (`errcode` 0).
    ///
    /// - Parameters:
    ///   - method: `GET` for reads; `POST` with a JSON `body` for `user/list_id` and writes.
    ///   - query: parameters besides `access_token`.
    /// - Throws: ``WeComError``.
    public func call(
        _ method: HTTPMethod = .GET, api: String, secret: WeComSecret, query: [(String, String)] = [],
        body: SCIMValue? = nil
    ) async throws -> SCIMObject {
        guard let tokens = tokens[secret] else {
            throw WeComError.refused(api: api, secret: secret, code: 41004, message: "no \(secret.key) given")
        }
        var limit = retry
        while true {
            try await pacer.admit(api)
            let answer = try await tokens.withToken(
                { token in try await self.send(method, api: api, query: query, body: body, token: token) },
                isExpired: { $0.isTokenRefused })
            if answer.isRateLimited {
                guard let wait = limit.limited(reset: nil, unitRandom: Double.random(in: 0..<1)) else {
                    throw WeComError.rateLimited(api: api, attempts: limit.attempts)
                }
                await pacer.limited(api, wait: wait)
                logger.info(
                    "WeCom frequency limit; waiting",
                    metadata: [
                        "api": "\(api)", "errcode": "\(answer.code)", "wait": "\(wait)", "attempt": "\(limit.attempts)",
                    ])
                continue
            }
            guard answer.code == 0 else {
                throw WeComError.refused(api: api, secret: secret, code: answer.code, message: answer.message)
            }
            return answer.body
        }
    }

    private func send(
        _ method: HTTPMethod, api: String, query: [(String, String)], body: SCIMValue?, token: AccessToken
    ) async throws -> WeComAnswer {
        var request = HTTPClientRequest(
            url: baseURL + "/cgi-bin/" + api + PlatformURL.queryString([("access_token", token.value)] + query))
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: body.jsonBytes()))
        }
        return try await Self.execute(request, http: http, api: api, timeout: timeout, hiding: [token.value])
    }

    private static func execute(
        _ request: HTTPClientRequest, http: HTTPClient, api: String, timeout: Duration, hiding: [String]
    ) async throws -> WeComAnswer {
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // The whole answer within its time: the client's own timeouts bound the head and
            // each read, and an answer sent a byte at a time would hold a read forever. Ten
            // times the call's timeout, as `user/list` is not paged (tens of MB for a large
            // department).
            (response, bytes) = try await TimeLimit.within(timeout * 10) {
                let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanosecondsClamped))
                // `user/list` is not paged: a department of 100,000 direct members answers about
                // 40 MB (an app made after 2022-06-20 gets ~400 bytes a member).
                return (response, try await response.body.collect(upTo: 256 << 20))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The URL holds the token (or, for gettoken, the secret): should a transport error
            // ever quote it, it is cut out.
            var reason = "\(error)"
            for hidden in hiding where !hidden.isEmpty {
                reason = reason.replacingOccurrences(of: hidden, with: "(redacted)")
            }
            throw WeComError.unreachable(api: api, reason: PlatformText.safe(reason))
        }
        let json: SCIMValue? = bytes.readableBytes > 0 ? (try? SCIMValue(json: bytes.readableBytesView)) : nil
        return try WeComAnswer(status: Int(response.status.code), json: json, api: api)
    }

    /// 获取access_token: `GET /cgi-bin/gettoken?corpid=ID&corpsecret=SECRET`; `expires_in` is
    /// the seconds the token has left.
    private static func fetchToken(
        http: HTTPClient, base: String, corpID: String, kind: WeComSecret, secret: String, keyPath: String,
        timeout: Duration
    ) async throws -> TokenGrant {
        let api = "gettoken"
        var request = HTTPClientRequest(
            url: base + "/cgi-bin/gettoken" + PlatformURL.queryString([("corpid", corpID), ("corpsecret", secret)]))
        request.method = .GET
        let answer = try await execute(request, http: http, api: api, timeout: timeout, hiding: [secret])
        guard answer.code == 0 else {
            if answer.status >= 500 || answer.isRateLimited || answer.code == WeComAnswer.busy {
                throw WeComError.unreachable(api: api, reason: "HTTP \(answer.status), errcode \(answer.code)")
            }
            throw WeComError.credentialsRefused(secret: kind, code: answer.code, message: answer.message, keyPath: keyPath)
        }
        guard let token = answer.body["access_token"]?.stringValue, !token.isEmpty,
            case .integer(let expires)? = answer.body["expires_in"]
        else {
            throw WeComError.invalidAnswer(api: api, reason: "no access_token and expires_in")
        }
        return TokenGrant(token: AccessToken(token), lifetime: .seconds(max(expires, 0)))
    }
}
