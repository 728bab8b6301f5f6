import Hummingbird

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

    public static func application(
        host: String, port: Int, states: PipelineStates, metrics: DaemonMetrics
    ) -> some ApplicationProtocol {
        Application(
            router: router(states: states, metrics: metrics),
            configuration: .init(address: .hostname(host, port: port), serverName: "scimsync"))
    }
}
