import Dispatch

/// A resource that blocks (a connection, a target) used from async code: it lives on a serial
/// queue of its own and is only touched there, so blocking C calls never run on Swift's
/// cooperative pool (DESIGN.md). The resource is opened on first use and again after a use
/// that failed, since a failed connection may be unusable.
public final class QueueConfined<Resource>: @unchecked Sendable {
    // Touched only on `queue`: that confinement is what makes the unchecked Sendable sound.
    private var resource: Resource?
    private let queue: DispatchQueue
    private let open: @Sendable () throws -> Resource

    public init(label: String, open: @escaping @Sendable () throws -> Resource) {
        queue = DispatchQueue(label: label)
        self.open = open
    }

    /// Runs `body` with the resource on its queue.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Resource) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.async {
                continuation.resume(with: Result { try self.use(body) })
            }
        }
    }

    /// Opens the resource on its queue now, without waiting, so that the first use does not
    /// pay for the connection (a PostgreSQL connection takes tens of milliseconds). A failure
    /// is left for the first use to meet again.
    public func prepare() {
        queue.async { _ = try? self.use { _ in } }
    }

    /// Runs `body` with the resource on its queue and waits for it, blocking the calling
    /// thread: for blocking work on a thread of its own (never the queue itself, never Swift's
    /// cooperative pool).
    public func runBlocking<T>(_ body: (Resource) throws -> T) throws -> T {
        try queue.sync { try use(body) }
    }

    private func use<T>(_ body: (Resource) throws -> T) throws -> T {
        do {
            let resource = try self.resource ?? open()
            self.resource = resource
            return try body(resource)
        } catch {
            resource = nil
            throw error
        }
    }
}
