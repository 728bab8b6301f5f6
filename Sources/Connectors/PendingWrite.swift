import Foundation
import Synchronization

/// A blocking write started on a thread of its own, which something else waits for later: the
/// ledger's record of what a batch creates runs while the target executes the batch's
/// statements, and the target's COMMIT waits for it (``Target/apply(asking:vet:)``). Both
/// wait on I/O, so side by side they cost the longer of the two, not their sum.
public final class PendingWrite: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let failure = Mutex<(any Error)?>(nil)

    /// Where the writes and the waits for them run: a serial queue of its own, which has a
    /// thread of its own. They block, and on a global queue they would hold one of its few
    /// threads (as many as cores) from other work, or wait for one behind their own waiters.
    /// In order, so a wait queued after its write never waits for it to start. The writes go
    /// to the offset store, which takes one at a time anyway.
    private static let threads = DispatchQueue(label: "scimsync.pending-write")

    /// Starts `body` at once, on a thread of ``threads``: it blocks (SQLite, a lock), so never
    /// on Swift's cooperative pool.
    public init(_ body: @escaping @Sendable () throws -> Void) {
        Self.threads.async { [self] in
            do { try body() } catch { failure.withLock { $0 = error } }
            done.signal()
        }
    }

    /// Blocks until the write ended; throws what it threw. May be called more than once.
    public func wait() throws {
        done.wait()
        done.signal()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// ``wait()`` for a task: the blocking wait runs on a dispatch thread, not on the task's.
    public func finished() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Self.threads.async { [self] in continuation.resume(with: Result { try wait() }) }
        }
    }
}
