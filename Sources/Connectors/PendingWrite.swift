import Foundation
import Synchronization

/// A blocking write started on a thread of its own, which something else waits for later: the
/// ledger's record of what a batch creates runs while the target executes the batch's
/// statements, and the target's COMMIT waits for it (``Target/apply(asking:vet:)``). Both
/// wait on I/O, so side by side they cost the longer of the two, not their sum.
public final class PendingWrite: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let failure = Mutex<(any Error)?>(nil)

    /// Starts `body` at once, on a dispatch thread: it blocks (SQLite, a lock), so never on
    /// Swift's cooperative pool.
    public init(_ body: @escaping @Sendable () throws -> Void) {
        DispatchQueue.global().async { [self] in
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
            DispatchQueue.global().async { [self] in continuation.resume(with: Result { try wait() }) }
        }
    }
}
