import HTTPLimits
import Hummingbird
import Logging

/// The SCIM server as a Hummingbird application, ready for a service group.
public enum SCIMApplication {
    public static func make(service: SCIMService, host: String, port: Int, limits: HTTPServerLimits) -> some ApplicationProtocol {
        Application(
            router: SCIMRouter.router(service: service),
            server: limits.server,
            configuration: limits.configuration(address: .hostname(host, port: port), serverName: "scimsync", logger: service.logger),
            logger: service.logger)
    }
}
