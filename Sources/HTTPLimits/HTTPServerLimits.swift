import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The bounds every HTTP server of scimsync keeps (the SCIM server of `serve` and the admin
/// server of `run`): how long a request may take to arrive, how long a connection may sit
/// idle, and how many connections are open at once. A client that exceeds a timeout has its
/// connection closed; connections beyond the cap wait to be accepted.
public struct HTTPServerLimits: Sendable, Hashable {
    /// From the first bytes of a request to its complete head.
    public var headerTimeout: Duration
    /// From the head to the end of the body.
    public var bodyTimeout: Duration
    /// A connection with no request for this long is closed.
    public var idleTimeout: Duration
    /// Connections open at once; more wait in the listen queue.
    public var maxConnections: Int

    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 256
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// An HTTP/1 server that keeps these limits, and answers a request its decoder refuses
    /// with `malformed`'s body.
    public func server(answeringMalformedRequests malformed: MalformedRequestAnswer = .plainText) -> HTTPServerBuilder {
        let header = TimeAmount(headerTimeout)
        let body = TimeAmount(bodyTimeout)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    RequestTimeoutHandler(headerTimeout: header, bodyTimeout: body, answer: malformed),
                    MalformedRequestHandler(answer: malformed),
                ],
                idleTimeout: TimeAmount(idleTimeout)))
    }

    /// The application configuration for `address`, with the connection cap.
    public func configuration(address: BindAddress, serverName: String, logger: Logger) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: address, serverName: serverName,
            availableConnectionsDelegate: ConnectionCap(maxConnections, logger: logger))
    }
}
