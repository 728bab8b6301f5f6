import Foundation
import SQLClients
import Synchronization

/// One pool connection's current request, and how to stop its statement: a cancel is only
/// ever sent while the request that asked for it still holds the connection, never into the
/// next request's statement.
final class ConnectionSession: Sendable {
    private struct State {
        var canceller: (any StatementCanceller)?
        /// Counts the requests that took the connection: a cancel loop begun for one request
        /// stops when the next takes over, and never sends into its statements.
        var request: UInt64 = 0
        var serving = false
        var cancelled = false
    }

    /// Held while a cancel is sent, so that ``end()`` waits for it to be over.
    private let state = Mutex(State())

    /// How often, and how many times, a cancel is repeated while the request still holds the
    /// connection: one sent between two statements (or before the first) finds nothing to stop.
    static let retryInterval = 0.2
    static let maxAttempts = 50

    /// The connection was (re)opened with this way to stop its statements.
    func opened(_ canceller: (any StatementCanceller)?) {
        state.withLock { $0.canceller = canceller }
    }

    /// A request took the connection.
    /// - Returns: the request's number, for ``cancelWhileServing(request:)``.
    func begin() -> UInt64 {
        state.withLock { state in
            state.request &+= 1
            state.serving = true
            state.cancelled = false
            return state.request
        }
    }

    /// The request is done with the connection. Blocks while a cancel is being sent (one
    /// round trip to the database at most): call it on the connection's own queue, never on
    /// Swift's cooperative pool, whose few threads every other request needs.
    /// - Returns: whether its statement was cancelled.
    func end() -> Bool {
        state.withLock { state in
            state.serving = false
            return state.cancelled
        }
    }

    /// Cancels the running statement of `request`, again every ``retryInterval`` until that
    /// request lets go of the connection. Blocks: call it on a thread of its own.
    func cancelWhileServing(request: UInt64) {
        for _ in 0..<Self.maxAttempts {
            let sent = state.withLock { state -> Bool in
                guard state.serving, state.request == request, let canceller = state.canceller else { return false }
                canceller.cancel()
                state.cancelled = true
                return true
            }
            guard sent else { return }
            Thread.sleep(forTimeInterval: Self.retryInterval)
        }
    }
}
