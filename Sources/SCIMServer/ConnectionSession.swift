import Foundation
import SQLClients
import Synchronization

/// One pool connection's current request, and how to stop its statement: a cancel is only
/// ever sent while the request that asked for it still holds the connection, never into the
/// next request's statement.
final class ConnectionSession: Sendable {
    private struct State {
        var canceller: (any StatementCanceller)?
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
    func begin() {
        state.withLock { state in
            state.serving = true
            state.cancelled = false
        }
    }

    /// The request is done with the connection; waits for a cancel being sent.
    /// - Returns: whether its statement was cancelled.
    func end() -> Bool {
        state.withLock { state in
            state.serving = false
            return state.cancelled
        }
    }

    /// Cancels the running statement, again every ``retryInterval`` until the request lets
    /// go of the connection. Blocks: call it on a thread of its own.
    func cancelWhileServing() {
        for _ in 0..<Self.maxAttempts {
            let sent = state.withLock { state -> Bool in
                guard state.serving, let canceller = state.canceller else { return false }
                canceller.cancel()
                state.cancelled = true
                return true
            }
            guard sent else { return }
            Thread.sleep(forTimeInterval: Self.retryInterval)
        }
    }
}
