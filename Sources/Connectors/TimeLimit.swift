/// A bound on a whole exchange with a peer. An HTTP client's own timeouts bound the answer's
/// head and each read, so an answer sent a byte at a time would never end without it.
public enum TimeLimit {
    /// The exchange did not end within its time.
    public struct Exceeded: Error, CustomStringConvertible {
        public let limit: Duration

        public var description: String { "no whole answer within \(limit)" }
    }

    /// `body`'s result, or ``Exceeded`` once `limit` has passed (`body` is cancelled).
    public static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard case let value?? = try await group.next() else { throw Exceeded(limit: limit) }
            return value
        }
    }
}
