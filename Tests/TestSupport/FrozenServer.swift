import Foundation
import Synchronization

/// A value that is not `Sendable` (a load phase's reader), handed to the thread that calls a
/// frozen server: used by one thread at a time, first the test's, then that one.
public final class HandedOver<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// How a call made to a frozen server ended.
public struct FrozenCall<T: Sendable>: Sendable {
    /// What the call returned or threw.
    public var result: Result<T, any Error>
    /// Whether it ended while the server was still frozen; false when it ended only after the
    /// bound, once `thaw` let the server answer again.
    public var endedWhileFrozen: Bool
}

/// Runs `body` against a server the test froze, and thaws the server with `thaw` if `body` is
/// still waiting after `bound`: a call that would wait for the server for good then ends
/// (and says so in ``FrozenCall/endedWhileFrozen``) instead of holding the test.
public func callWhileFrozen<T: Sendable>(
    thaw: @escaping @Sendable () -> Void, bound: Duration = TestBounds.serverEvent,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> FrozenCall<T> {
    let outcome = Mutex<Result<T, any Error>?>(nil)
    let task = Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.withLock { $0 = result }
    }
    let ended = try await eventually(timeout: bound) { outcome.withLock { $0 != nil } }
    if !ended {
        thaw()
        await task.value
    }
    return FrozenCall(result: outcome.withLock { $0 } ?? .failure(CancellationError()), endedWhileFrozen: ended)
}

extension PrivateMariaDB {
    /// ``callWhileFrozen(thaw:bound:_:)`` with this server, which `body` finds frozen.
    public func callFrozen<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> FrozenCall<T> {
        freeze()
        let server = processIdentifier
        return try await callWhileFrozen(thaw: { if let server { kill(server, SIGCONT) } }, body)
    }
}

extension SQLServerTestServer {
    /// Freezes the test double (SIGSTOP): its connections stay open and nothing answers.
    /// Nothing happens with a real server.
    public func freeze() {
        if let processIdentifier { kill(processIdentifier, SIGSTOP) }
    }

    /// Lets a frozen test double go on (SIGCONT).
    public func thaw() {
        if let processIdentifier { kill(processIdentifier, SIGCONT) }
    }

    /// ``callWhileFrozen(thaw:bound:_:)`` with this server, which `body` finds frozen.
    public func callFrozen<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> FrozenCall<T> {
        freeze()
        return try await callWhileFrozen(thaw: { [self] in thaw() }, body)
    }
}
