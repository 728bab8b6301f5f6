import NIOCore
import Synchronization

/// The connections whose client closed its sending side (a TCP FIN: it gave up, or exited),
/// while the server, which allows half-closed connections, may still answer on them.
///
/// HTTP clients do not half-close a connection to wait for an answer; one that closes its
/// side has left, and work for its request can stop. `RequestTimeoutHandler` records it
/// (NIO's `ChannelEvent.inputClosed`) and forgets the connection once it is closed.
public enum ClientInput {
    private static let closed = Mutex(Set<ObjectIdentifier>())

    /// Whether the client of `channel` closed its side of the connection.
    public static func isClosed(_ channel: any Channel) -> Bool {
        closed.withLock { $0.contains(ObjectIdentifier(channel)) }
    }

    static func markClosed(_ channel: any Channel) {
        _ = closed.withLock { $0.insert(ObjectIdentifier(channel)) }
    }

    static func forget(_ channel: any Channel) {
        _ = closed.withLock { $0.remove(ObjectIdentifier(channel)) }
    }
}
