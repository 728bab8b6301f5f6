import NIOCore
import Synchronization

/// The connections whose client closed its sending side (a TCP FIN: it gave up, or exited),
/// while the server, which allows half-closed connections, may still answer on them.
///
/// HTTP clients do not half-close a connection to wait for an answer; one that closes its
/// side has left, and work for its request can stop. `RequestTimeoutHandler` records it
/// (NIO's `ChannelEvent.inputClosed`) and forgets the connection once it is closed.
public enum ClientInput {
    private struct State {
        var closed: Set<ObjectIdentifier> = []
        var watchers: [ObjectIdentifier: [(token: UInt64, action: @Sendable () -> Void)]] = [:]
        var nextToken: UInt64 = 0
    }

    private static let state = Mutex(State())

    /// Whether the client of `channel` closed its side of the connection.
    public static func isClosed(_ channel: any Channel) -> Bool {
        state.withLock { $0.closed.contains(ObjectIdentifier(channel)) }
    }

    /// Calls `action` once, on the channel's event loop, when the client of `channel` leaves:
    /// it closes its side, or the connection closes. `action` must not block.
    ///
    /// - Returns: the token for ``stopWatching(_:token:)``, or nil when the client has left
    ///   already (`action` is then not called).
    public static func whenClientLeaves(_ channel: any Channel, _ action: @escaping @Sendable () -> Void) -> UInt64? {
        let key = ObjectIdentifier(channel)
        let token = state.withLock { state -> UInt64? in
            guard !state.closed.contains(key) else { return nil }
            state.nextToken += 1
            state.watchers[key, default: []].append((state.nextToken, action))
            return state.nextToken
        }
        // A connection that closed before the watch began sends no event any more.
        guard let token, channel.isActive else {
            if let token { stopWatching(channel, token: token) }
            return nil
        }
        return token
    }

    /// Ends a watch begun by ``whenClientLeaves(_:_:)``.
    public static func stopWatching(_ channel: any Channel, token: UInt64) {
        state.withLock { state in
            let key = ObjectIdentifier(channel)
            state.watchers[key]?.removeAll { $0.token == token }
            if state.watchers[key]?.isEmpty == true { state.watchers[key] = nil }
        }
    }

    static func markClosed(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let actions = state.withLock { state in
            state.closed.insert(key)
            return state.watchers.removeValue(forKey: key) ?? []
        }
        for watcher in actions { watcher.action() }
    }

    static func forget(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let actions = state.withLock { state in
            state.closed.remove(key)
            return state.watchers.removeValue(forKey: key) ?? []
        }
        for watcher in actions { watcher.action() }
    }
}
