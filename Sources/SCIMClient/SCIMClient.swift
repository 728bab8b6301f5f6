import AsyncHTTPClient
import Connectors
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SCIM

/// A client of one SCIM 2.0 service provider (RFC 7644): bearer-token authentication, SCIM
/// JSON in and out, and retries with capped backoff for failures a later attempt can cure
/// (``RequestRetry``). Shared by the SCIM push target and the SCIM pull source.
///
/// The token is sent in the `Authorization` header and nowhere else: not in errors, not in
/// logs, not in this type's description. Redirects are not followed, so the header never
/// reaches another host.
public final class SCIMClient: Sendable, CustomStringConvertible {
    /// The service provider's base URL without a trailing slash (`https://host/scim/v2`).
    public let baseURL: String
    private let authorization: String
    public let policy: RetryPolicy
    /// How long one attempt may take, from sending to the whole body received.
    public let timeout: Duration
    private let http: HTTPClient
    private let logger: Logger

    /// - Parameters:
    ///   - baseURL: `http://` or `https://`, up to the SCIM base (`/Users` is appended).
    ///   - token: the bearer token.
    /// - Throws: ``SCIMClientError/invalidURL(_:)`` for a URL that is not http(s).
    public init(
        baseURL: String, token: String, policy: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "scimsync.scim-client")
    ) throws(SCIMClientError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else {
            throw .invalidURL("\"\(baseURL)\" is not an http:// or https:// URL with a host")
        }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        authorization = "Bearer " + token
        self.policy = policy
        self.timeout = timeout
        http = Self.sharedHTTPClient
        self.logger = logger
    }

    /// The base URL only: the token stays out of every printout.
    public var description: String { "SCIMClient(\(baseURL))" }

    /// One process-wide connection pool. Never shut down, like `HTTPClient.shared`, but it
    /// follows no redirects: a redirect would carry the token's header to wherever it points.
    private static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        // A refused or failed connection fails the request at once, to be retried by
        // ``policy`` with its backoff, logged: retried inside the pool instead, each attempt
        // took the whole connect timeout, and `check` 20 s to say a provider is not there.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Sends a request and returns the provider's answer, retrying network failures, 429 and
    /// 5xx as ``policy`` says.
    ///
    /// - Parameters:
    ///   - path: below the base URL, starting with `/` (`/Users/2819c223`).
    ///   - query: name and value pairs, percent-encoded here.
    ///   - accepting: statuses besides 2xx that the caller handles itself (404, 409); any
    ///     other failure throws.
    /// - Throws: ``SCIMClientError``.
    public func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: SCIMValue? = nil,
        accepting: Set<Int> = []
    ) async throws(SCIMClientError) -> SCIMResponse {
        let requestName = Self.name(method, path, query)
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = method
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Accept", value: "application/scim+json, application/json")
        let bodyBytes = body.map { $0.jsonBytes() }
        if bodyBytes != nil { request.headers.add(name: "Content-Type", value: "application/scim+json") }

        var retry = RequestRetry(policy: policy)
        while true {
            if let bodyBytes { request.body = .bytes(ByteBuffer(bytes: bodyBytes)) }
            let action: RequestRetry.Action
            var failure: SCIMClientError
            do {
                let (http, attempt, limit) = (self.http, request, timeout)
                // The whole attempt, head and body, within `timeout`: the client's own timeouts
                // bound the head and each read, so a body sent a byte at a time would never end.
                let (status, headers, bytes) = try await TimeLimit.within(timeout) {
                    // The client's own deadline a second later: `TimeLimit.within` is what decides.
                    let response = try await http.execute(attempt, timeout: .nanoseconds(limit.nanoseconds) + .seconds(1))
                    return (Int(response.status.code), response.headers, try await response.body.collect(upTo: Self.maximumBody))
                }
                let answer = SCIMResponse(
                    status: status, body: try Self.json(bytes, requestName, status), attempts: retry.attempts)
                if answer.isSuccess || accepting.contains(status) { return answer }
                failure = .provider(request: requestName, status: status, error: answer.error, attempts: retry.attempts)
                action = retry.responseReceived(
                    status: status, retryAfter: RetryAfter.delay(headers.first(name: "Retry-After")),
                    unitRandom: Double.random(in: 0..<1))
            } catch let error as SCIMClientError {
                throw error
            } catch is NIOTooManyBytesError {
                // The same request gets the same answer: not worth fetching again.
                throw .invalidResponse(
                    request: requestName, reason: "the answer is larger than \(Self.maximumBody >> 20) MiB, more than a SCIM answer needs")
            } catch is TimeLimit.Exceeded {
                failure = .unreachable(
                    request: requestName, reason: "no whole answer within \(timeout) (the body came too slowly or stopped)",
                    attempts: retry.attempts)
                action = retry.networkFailed(unitRandom: Double.random(in: 0..<1))
            } catch is CancellationError {
                throw .unreachable(request: requestName, reason: "cancelled", attempts: retry.attempts)
            } catch {
                failure = .unreachable(request: requestName, reason: "\(error)", attempts: retry.attempts)
                action = retry.networkFailed(unitRandom: Double.random(in: 0..<1))
            }
            switch action {
            case .retry(let delay, let count):
                logger.warning(
                    "SCIM request failed; retrying",
                    metadata: ["request": "\(requestName)", "error": "\(failure)", "retry": "\(count)", "delay": "\(delay)"])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw failure
                }
                _ = retry.retryDelayElapsed()
            case .deliver, .giveUp, .none:
                throw failure
            }
        }
    }

    /// The largest answer body read.
    static let maximumBody = 64 << 20

    /// The body as JSON; nil when empty.
    private static func json(_ buffer: ByteBuffer, _ request: String, _ status: Int) throws(SCIMClientError) -> SCIMValue? {
        guard buffer.readableBytes > 0 else { return nil }
        let bytes = buffer.readableBytesView
        do {
            return try SCIMValue(json: bytes)
        } catch {
            // A proxy's HTML error page is not worth parsing; its status still tells the story.
            if !(200...299).contains(status) { return nil }
            throw .invalidResponse(request: request, reason: "the body is not JSON (\(error))")
        }
    }

    /// `GET /Users?filter=…`: method and path, query names without their values.
    static func name(_ method: HTTPMethod, _ path: String, _ query: [(String, String)]) -> String {
        let names = query.map { "\($0.0)=…" }.joined(separator: "&")
        return "\(method.rawValue) \(path)" + (names.isEmpty ? "" : "?" + names)
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay, everything else is percent-encoded (a filter's
    /// spaces, quotes and `+` included: `+` would read as a space).
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let components = components
        return components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
