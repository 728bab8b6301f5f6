import Config
import HTTPLimits
import Hummingbird
import Logging
import NIOCore

/// `/healthz` (the process is up), `/readyz` (every pipeline is streaming) and `/metrics`
/// (Prometheus text) on `http.host:http.port`.
public enum AdminServer {
    public static func router(states: PipelineStates, metrics: DaemonMetrics) -> Router<BasicRequestContext> {
        let router = Router()
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
        return router
    }

    /// The admin server of `run`, with the timeouts and the connection cap of `http:`.
    ///
    /// - Parameter onServerRunning: called once it listens, with its channel (its port when
    ///   `http.port` is 0).
    public static func application(
        _ http: HTTPConfig, states: PipelineStates, metrics: DaemonMetrics, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let limits = HTTPServerLimits(http.limits)
        return Application(
            router: router(states: states, metrics: metrics),
            server: limits.server,
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
