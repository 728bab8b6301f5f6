import HTTPLimits
import Hummingbird
import Logging
import NIOCore

/// The SCIM server as a Hummingbird application, ready for a service group.
public enum SCIMApplication {
    /// - Parameter onServerRunning: called once the server listens.
    public static func make(
        service: SCIMService, host: String, port: Int, limits: HTTPServerLimits,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: SCIMRouter.router(service: service),
            server: limits.server(answeringMalformedRequests: SCIMResponse.malformedRequest),
            configuration: limits.configuration(address: .hostname(host, port: port), serverName: "scimsync", logger: service.logger),
            onServerRunning: onServerRunning,
            logger: service.logger)
    }
}
