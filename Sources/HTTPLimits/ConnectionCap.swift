import HummingbirdCore
import Logging

/// At most `maximum` connections open at once (more wait to be accepted), saying so when the
/// cap is reached: a server whose every connection is held (clients that send their requests
/// slowly, on purpose or not) answers nobody, health checks included, and the log is where
/// an operator looks first.
struct ConnectionCap: AvailableConnectionsDelegate {
    let maximum: Int
    let logger: Logger
    private var open = 0
    /// Whether the cap was reached and not yet left: one warning per time it fills.
    private var full = false

    init(_ maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        if open >= maximum, !full {
            full = true
            logger.warning(
                "every connection the server takes is open: new ones wait (maxConnections; slow clients hold theirs up to the header and body timeouts)",
                metadata: ["connections": "\(open)"])
        }
    }

    mutating func connectionClosed() {
        open -= 1
        if full, open < maximum {
            full = false
            logger.notice("the server takes connections again", metadata: ["connections": "\(open)"])
        }
    }

    func isAcceptingNewConnections() -> Bool {
        open < maximum
    }
}
