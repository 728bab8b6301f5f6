import Config
import Connectors
import HTTPLimits
import Hummingbird
import Logging
import NIOCore

/// Routes a pipeline kind adds to the admin server (the uploads and runs of feeds), all behind
/// the bearer token of `http.token`. The daemon composes them without knowing the kind.
public protocol AdminRoutes: Sendable {
    /// Adds the routes to `router`, whose token middleware is already in place.
    func add(to router: Router<AdminRequestContext>)

    /// The limit of failed logins the page's login form counts into; the token middleware
    /// counts wrong bearer tokens into the same one. Nil for routes without a login form.
    var loginLimit: LoginLimiter? { get }
}

extension AdminRoutes {
    public var loginLimit: LoginLimiter? { nil }
}

/// `/healthz` (the process is up), `/readyz` (every pipeline is streaming) and `/metrics`
/// (Prometheus text) on `http.host:http.port`, open to anyone; with `http.token`, the routes
/// pipelines add, for bearers of the token only.
public enum AdminServer {
    /// The paths answered without a token.
    public static let openPaths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    /// - Parameters:
    ///   - token: `http.token`; without one no route beyond the open paths is served (the
    ///     configuration requires a token once a pipeline adds routes).
    ///   - routes: what pipelines serve beyond health and metrics.
    ///   - page: the admin page (`/admin`), served only with a token; its paths also take the
    ///     page's session cookie.
    ///   - callbacks: the pipelines' event-callback receivers, served at
    ///     `/callbacks/<pipeline>` with or without a token (each request is authenticated by
    ///     its receiver, by the platform's rules).
    public static func router(
        states: PipelineStates, metrics: DaemonMetrics, token: String? = nil, routes: [any AdminRoutes] = [],
        page: (any AdminRoutes)? = nil, callbacks: CallbackHub? = nil
    ) -> Router<AdminRequestContext> {
        // RFC 9110 §9.3.2: HEAD is GET without content; health checkers use either.
        let router = Router(context: AdminRequestContext.self, options: .autoGenerateHeadEndpoints)
        if let token {
            // Before every route: middleware wraps the routes added after it, and the 404 of
            // an unknown path, which must not tell a stranger which paths exist.
            router.add(
                middleware: AdminTokenMiddleware(
                    token: token, openPaths: openPaths, page: page != nil, limit: page?.loginLimit ?? LoginLimiter(),
                    callbacks: callbacks != nil))
        } else if page != nil {
            // Without a token there is nothing to log in with: say why rather than a bare 404.
            let answer = { @Sendable (_: Request, _: AdminRequestContext) -> Response in
                Response(
                    status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: "the admin page is served only when http.token is set in the configuration\n")))
            }
            router.get("admin", use: answer)
            router.get("admin/**", use: answer)
        }
        router.get("healthz") { _, _ in
            "ok\n"
        }
        router.get("readyz") { _, _ -> Response in
            let all = states.all
            let body = all.keys.sorted().map { "\($0) \(all[$0].map(String.init(describing:)) ?? "")" }.joined(separator: "\n") + "\n"
            return Response(
                status: states.allReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
        }
        for path in openPaths {
            MethodNotAllowed.refuse(on: router, path: String(path.dropFirst()), allowing: [.get]) { allow in
                Response(
                    status: .methodNotAllowed, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "\(path) takes \(allow)\n")))
            }
        }
        if let callbacks { CallbackRoute.add(to: router, hub: callbacks, metrics: metrics) }
        if token != nil {
            for route in routes { route.add(to: router) }
            page?.add(to: router)
        }
        return router
    }

    /// The admin server of `run`, with the timeouts and the connection cap of `http:`.
    ///
    /// - Parameters:
    ///   - routes: served only when `http.token` is set.
    ///   - page: the admin page, served only when `http.token` is set.
    ///   - onServerRunning: called once it listens, with its channel (its port when
    ///     `http.port` is 0).
    public static func application(
        _ http: HTTPConfig, states: PipelineStates, metrics: DaemonMetrics, routes: [any AdminRoutes] = [],
        page: (any AdminRoutes)? = nil, callbacks: CallbackHub? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let limits = HTTPServerLimits(http.limits)
        return Application(
            router: router(
                states: states, metrics: metrics, token: http.token, routes: routes, page: page, callbacks: callbacks),
            server: limits.server(),
            configuration: limits.configuration(
                address: .hostname(http.host, port: http.port), serverName: "scimsync", logger: logger),
            onServerRunning: onServerRunning,
            logger: logger)
    }
}

extension HTTPServerLimits {
    /// The limits a configuration's `http:` or `scim:` block sets.
    public init(_ limits: ServerLimits) {
        self.init(
            headerTimeout: .seconds(limits.headerTimeoutSeconds), bodyTimeout: .seconds(limits.bodyTimeoutSeconds),
            idleTimeout: .seconds(limits.idleTimeoutSeconds), maxConnections: limits.maxConnections)
    }
}
