import Directory
import SQLClients
import Synchronization
import Targets

/// The SQL directory behind the server: a few connections, each confined to a queue of its
/// own (blocking C calls never run on Swift's cooperative pool), handed out in turn.
///
/// Each connection serves one request at a time, so requests queue per connection; with
/// more connections than cores the database's own latency overlaps. A connection that fails
/// is reopened on its next use (``QueueConfined``).
public final class DirectoryPool: Sendable {
    private let members: [QueueConfined<SQLTarget>]
    private let next = Atomic<Int>(0)

    /// - Parameter open: makes one connection's target; called again after a failure.
    public init(size: Int, open: @escaping @Sendable () throws -> SQLTarget) {
        members = (0..<max(size, 1)).map { index in
            QueueConfined(label: "scimsync.scim.db.\(index)", open: open)
        }
    }

    /// Runs `body` with one connection's target on that connection's queue.
    public func run<T: Sendable>(_ body: @escaping @Sendable (SQLTarget) throws -> T) async throws -> T {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max
        return try await members[index % members.count].run(body)
    }
}
