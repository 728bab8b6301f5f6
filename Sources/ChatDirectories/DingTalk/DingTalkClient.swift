import AsyncHTTPClient
import Connectors
import Foundation
import Logging
import NIOCore
import SCIM

/// A client of DingTalk's old-style server API (oapi.dingtalk.com) as one enterprise internal
/// app: the access token from `GET /gettoken` (``AccessTokenCache``), every call paced per API
/// (``RequestPacer``, 20 a second per app and API), rate-limit refusals backed off and repeated
/// (``LimitRetry``: DingTalk gives no wait), a token refused as unknown or expired (errcode 88
/// with `sub_code` 40014 or 42001) replaced and the call made once more.
///
/// Every topapi call goes through ``call(api:path:body:)``: `POST` with the token in the
/// `access_token` query parameter and a JSON body, the answer's `errcode`/`sub_code` decoded in
/// one place, ready for the write endpoints. The secret goes into the token request's query
/// and the token into a request's query, nowhere else: not into errors, logs or this type's
/// description. Redirects are not followed, so neither reaches another host.
public final class DingTalkClient: Sendable, CustomStringConvertible {
    /// The API's origin without a trailing slash (`https://oapi.dingtalk.com`).
    public let baseURL: String
    public let appKey: String
    private let tokens: AccessTokenCache<ContinuousClock>
    private let pacer: RequestPacer<ContinuousClock>
    private let retry: LimitRetry
    private let http: HTTPClient
    private let logger: Logger
    /// How long one call may take, from sending to the whole answer received.
    private let timeout: Duration

    /// "调用频率限制": an internal app may call each API at most 20 times a second.
    public static let apiWindows: [RateWindow] = [.perSecond(20)]

    /// - Parameters:
    ///   - keyPath: where the app's settings are in the configuration, for messages.
    ///   - pacer: the app's pacer; by default the one the process shares for this app.
    public init(
        baseURL: String, appKey: String, appSecret: String, keyPath: String = "source.dingtalk",
        pacer: RequestPacer<ContinuousClock>? = nil, retry: LimitRetry = LimitRetry(), timeout: Duration = .seconds(30),
        logger: Logger
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.appKey = appKey
        let appPacer = pacer ?? .shared(app: "dingtalk:\(base):\(appKey)", defaultWindows: Self.apiWindows)
        self.pacer = appPacer
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
        let http = Self.sharedHTTPClient
        self.http = http
        let origin = base
        tokens = AccessTokenCache(clock: ContinuousClock()) {
            try await Self.fetchToken(
                http: http, base: origin, appKey: appKey, appSecret: appSecret, keyPath: keyPath, pacer: appPacer,
                retry: retry, timeout: timeout, logger: logger)
        }
    }

    public var description: String { "DingTalkClient(\(appKey) at \(baseURL))" }

    /// One pool for every DingTalk client of the process; redirects are refused.
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

    /// A topapi call (`POST path?access_token=…` with `body` as JSON), paced; the whole answer
    /// on `errcode` 0 (what was asked for is in its `result`).
    ///
    /// - Parameters:
    ///   - api: the API's name as DingTalk's gateway spells it (`dingtalk.oapi.v2.user.list`),
    ///     the unit of its rate limit.
    ///   - path: below the origin (`/topapi/v2/user/list`).
    /// - Throws: ``DingTalkError``.
    public func call(api: String, path: String, body: SCIMValue) async throws -> SCIMObject {
        var limit = retry
        let bytes = body.jsonBytes()
        while true {
            try await pacer.admit(api)
            let answer = try await tokens.withToken(
                { token in try await self.send(api: api, path: path, body: bytes, token: token) },
                isExpired: { $0.isTokenRefused })
            if answer.isRateLimited {
                try await Self.wait(api: api, answer: answer, limit: &limit, pacer: pacer, logger: logger)
                continue
            }
            guard answer.code == 0 else {
                throw DingTalkError.refused(
                    api: api, code: answer.code, subCode: answer.subCode, message: answer.message, requestID: answer.requestID)
            }
            return answer.body
        }
    }

    private func send(api: String, path: String, body: [UInt8], token: AccessToken) async throws -> DingTalkAnswer {
        var request = HTTPClientRequest(url: baseURL + path + PlatformURL.queryString([("access_token", token.value)]))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await Self.execute(request, http: http, api: api, timeout: timeout, secret: token.value)
    }

    /// A refusal for the limit: backs off (DingTalk says no wait), holds the API's other calls
    /// as long, and returns; throws when the attempts are used up.
    private static func wait(
        api: String, answer: DingTalkAnswer, limit: inout LimitRetry, pacer: RequestPacer<ContinuousClock>, logger: Logger
    ) async throws {
        guard let wait = limit.limited(reset: nil, unitRandom: Double.random(in: 0..<1)) else {
            if answer.isThrottleBody, answer.body.isEmpty {
                // Taken for the limit while it lasted, but the operator is told what came.
                throw DingTalkError.invalidAnswer(
                    api: api,
                    reason: "not JSON (HTTP \(answer.status)), \(limit.attempts) times: DingTalk's throttling answers so, "
                        + "and so does a proxy's or a gateway's error page")
            }
            throw DingTalkError.rateLimited(api: api, attempts: limit.attempts)
        }
        await pacer.limited(api, wait: wait)
        logger.info(
            "DingTalk rate limit; waiting",
            metadata: [
                "api": "\(api)", "wait": "\(wait)", "attempt": "\(limit.attempts)",
                "errcode": "\(answer.isThrottleBody ? "none (address limit)" : String(answer.code))",
            ])
    }

    /// Sends `request`; `secret` (the token or the app secret the URL holds) is cut out of any
    /// error text, should a transport error ever quote the URL.
    private static func execute(
        _ request: HTTPClientRequest, http: HTTPClient, api: String, timeout: Duration, secret: String
    ) async throws -> DingTalkAnswer {
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
            var reason = "\(error)"
            if !secret.isEmpty { reason = reason.replacingOccurrences(of: secret, with: "(redacted)") }
            throw DingTalkError.unreachable(api: api, reason: PlatformText.safe(reason))
        }
        let json: SCIMValue? = bytes.readableBytes > 0 ? (try? SCIMValue(json: bytes.readableBytesView)) : nil
        return try DingTalkAnswer(status: Int(response.status.code), json: json, api: api)
    }

    /// 获取企业内部应用的access_token: `GET /gettoken?appkey=&appsecret=`; `expires_in` is the
    /// seconds the token has left (7200; asked again while valid, the same token renewed).
    private static func fetchToken(
        http: HTTPClient, base: String, appKey: String, appSecret: String, keyPath: String,
        pacer: RequestPacer<ContinuousClock>, retry: LimitRetry, timeout: Duration, logger: Logger
    ) async throws -> TokenGrant {
        let api = "dingtalk.oapi.gettoken"
        var limit = retry
        while true {
            try await pacer.admit(api)
            var request = HTTPClientRequest(
                url: base + "/gettoken" + PlatformURL.queryString([("appkey", appKey), ("appsecret", appSecret)]))
            request.method = .GET
            let answer = try await execute(request, http: http, api: api, timeout: timeout, secret: appSecret)
            if answer.isRateLimited {
                try await wait(api: api, answer: answer, limit: &limit, pacer: pacer, logger: logger)
                continue
            }
            guard answer.code == 0 else {
                if answer.code == -1 {
                    throw DingTalkError.unreachable(api: api, reason: "errcode -1 (\(answer.message))")
                }
                throw DingTalkError.credentialsRefused(code: answer.code, message: answer.message, keyPath: keyPath)
            }
            guard let token = answer.body["access_token"]?.stringValue, !token.isEmpty,
                case .integer(let expires)? = answer.body["expires_in"]
            else {
                throw DingTalkError.invalidAnswer(api: api, reason: "no access_token and expires_in")
            }
            return TokenGrant(token: AccessToken(token), lifetime: .seconds(max(expires, 0)))
        }
    }
}
