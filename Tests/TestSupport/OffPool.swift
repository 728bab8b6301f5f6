import Foundation

/// Runs blocking work (a workload's statements, a child process to its end) on a thread of its
/// own and awaits it. Blocking in the test itself holds one of Swift's cooperative threads, of
/// which a 2-core machine has two: while two tests block that way, every other test of the run
/// stands still, and their bounds run out waiting for a thread.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
