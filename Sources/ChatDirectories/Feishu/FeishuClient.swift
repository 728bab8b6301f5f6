import AsyncHTTPClient
import Connectors
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SCIM

/// A client of Feishu's open platform as one custom app: the tenant access token
/// (``AccessTokenCache``), every call paced per API (``RequestPacer``, Feishu's documented
/// tiers), rate-limit refusals waited out (``LimitRetry``, `x-ogw-ratelimit-reset`), a refused
/// token replaced and the call made once more.
///
/// The secret goes into the token request's body and the token into the `Authorization`
/// header, nowhere else: not into errors, logs or this type's description. Redirects are not
/// followed, so neither reaches another host.
public final class FeishuClient: Sendable, CustomStringConvertible {
    /// The open platform's origin without a trailing slash (`https://open.feishu.cn`).
    public let baseURL: String
    public let appID: String
    private let tokens: AccessTokenCache<ContinuousClock>
    private let pacer: RequestPacer<ContinuousClock>
    private let retry: LimitRetry
    private let http: HTTPClient
    private let logger: Logger
    /// How long one call may take, from sending to the whole answer received.
    private let timeout: Duration

    /// Feishu's tier for the contact APIs a directory read uses ("1000 次/分钟、50 次/秒",
    /// both windows must admit a call: 频控策略 and each API's page).
    public static let contactWindows: [RateWindow] = [.perSecond(50), .perMinute(1000)]

    /// - Parameters:
    ///   - keyPath: where the app's settings are in the configuration, for messages.
    ///   - pacer: the app's pacer; by default the one the process shares for this app.
    public init(
        baseURL: String, appID: String, appSecret: String, keyPath: String = "source.feishu",
        pacer: RequestPacer<ContinuousClock>? = nil, retry: LimitRetry = LimitRetry(), timeout: Duration = .seconds(30),
        logger: Logger
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.appID = appID
        self.pacer = pacer ?? .shared(app: "feishu:\(base):\(appID)", defaultWindows: Self.contactWindows)
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
        let http = Self.sharedHTTPClient
        self.http = http
        let origin = base
        tokens = AccessTokenCache(clock: ContinuousClock()) {
            try await Self.fetchToken(
                http: http, base: origin, appID: appID, appSecret: appSecret, keyPath: keyPath, timeout: timeout)
        }
    }

    public var description: String { "FeishuClient(\(appID) at \(baseURL))" }

    /// One pool for every Feishu client of the process; redirects are refused.
    private static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Tokens fetched so far.
    public var tokensFetched: Int {
        get async { await tokens.fetches }
    }

    /// `GET` of an API, paced, its `data` on success.
    ///
    /// - Parameters:
    ///   - api: the API's name as Feishu's documents and limits name it
    ///     (`contact.v3.department.children`).
    ///   - path: below the origin (`/open-apis/contact/v3/...`), already percent-encoded.
    /// - Throws: ``FeishuError``.
    public func get(api: String, path: String, query: [(String, String)]) async throws -> SCIMObject {
        try await call(.GET, api: api, path: path, query: query, body: nil)
    }

    /// A call of an API with a method and, for `POST`, `PATCH` and `PUT`, a JSON body; paced,
    /// its `data` on success (an empty object when the answer has none).
    ///
    /// - Parameters:
    ///   - api: the API's name as Feishu's documents and limits name it (`contact.v3.user.create`).
    ///   - path: below the origin, already percent-encoded (``PlatformURL/pathSegment(_:)`` for ids).
    /// - Throws: ``FeishuError``.
    public func call(
        _ method: HTTPMethod, api: String, path: String, query: [(String, String)], body: SCIMValue?
    ) async throws -> SCIMObject {
        var limit = retry
        while true {
            try await pacer.admit(api)
            let answer = try await tokens.withToken(
                { token in try await self.send(method, api: api, path: path, query: query, body: body, token: token) },
                isExpired: { $0.isTokenRefused })
            if answer.isRateLimited {
                guard let wait = limit.limited(reset: answer.reset, unitRandom: Double.random(in: 0..<1)) else {
                    throw FeishuError.rateLimited(api: api, attempts: limit.attempts)
                }
                await pacer.limited(api, wait: wait)
                logger.info(
                    "Feishu rate limit; waiting",
                    metadata: ["api": "\(api)", "wait": "\(wait)", "attempt": "\(limit.attempts)"])
                continue
            }
            guard answer.code == 0 else {
                throw FeishuError.refused(
                    api: api, status: answer.status, code: answer.code, message: answer.message, logID: answer.logID)
            }
            return answer.data ?? SCIMObject()
        }
    }

    private func send(
        _ method: HTTPMethod, api: String, path: String, query: [(String, String)], body: SCIMValue?, token: AccessToken
    ) async throws -> FeishuAnswer {
        var request = HTTPClientRequest(url: baseURL + path + PlatformURL.queryString(query))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer " + token.value)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: body.jsonBytes()))
        }
        return try await Self.execute(request, http: http, api: api, timeout: timeout)
    }

    private static func execute(
        _ request: HTTPClientRequest, http: HTTPClient, api: String, timeout: Duration
    ) async throws -> FeishuAnswer {
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // The whole answer within its time: the client's own timeouts bound the head and
            // each read, and an answer sent a byte at a time would hold a read forever.
            (response, bytes) = try await TimeLimit.within(timeout) {
                let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanosecondsClamped))
                return (response, try await response.body.collect(upTo: 32 << 20))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The error names the host and the failure, never the request's headers.
            throw FeishuError.unreachable(api: api, reason: "\(error)")
        }
        let json: SCIMValue? = bytes.readableBytes > 0 ? (try? SCIMValue(json: bytes.readableBytesView)) : nil
        return try FeishuAnswer(
            status: Int(response.status.code), json: json, reset: response.headers.first(name: "x-ogw-ratelimit-reset"),
            logID: response.headers.first(name: "X-Tt-Logid"), api: api)
    }

    /// 自建应用获取 tenant_access_token: `POST /open-apis/auth/v3/tenant_access_token/internal`
    /// with `app_id` and `app_secret`; `expire` is the seconds the token has left.
    private static func fetchToken(
        http: HTTPClient, base: String, appID: String, appSecret: String, keyPath: String, timeout: Duration
    ) async throws -> TokenGrant {
        let api = "auth.v3.tenant_access_token.internal"
        var request = HTTPClientRequest(url: base + "/open-apis/auth/v3/tenant_access_token/internal")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        let body: SCIMValue = ["app_id": .string(appID), "app_secret": .string(appSecret)]
        request.body = .bytes(ByteBuffer(bytes: body.jsonBytes()))
        let answer = try await execute(request, http: http, api: api, timeout: timeout)
        guard answer.code == 0 else {
            if answer.status >= 500 || answer.isRateLimited {
                throw FeishuError.unreachable(api: api, reason: "HTTP \(answer.status), code \(answer.code)")
            }
            throw FeishuError.credentialsRefused(code: answer.code, message: answer.message, keyPath: keyPath)
        }
        guard let token = answer.body["tenant_access_token"]?.stringValue, !token.isEmpty,
            case .integer(let expire)? = answer.body["expire"]
        else {
            throw FeishuError.invalidAnswer(api: api, reason: "no tenant_access_token and expire")
        }
        return TokenGrant(token: AccessToken(token), lifetime: .seconds(max(expire, 0)))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to what an `Int64` holds.
    var nanosecondsClamped: Int64 {
        let parts = components
        let (seconds, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : seconds &+ parts.attoseconds / 1_000_000_000
    }
}
