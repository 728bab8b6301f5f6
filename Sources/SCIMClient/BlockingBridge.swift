import Dispatch
import Synchronization

/// Runs async work from a thread that may block (a target's own serial queue) and waits for
/// it. Never call it on Swift's cooperative pool or on an event loop: the thread sleeps until
/// the work, which runs on the pool, is done.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let result = Mutex<Result<T, any Error>?>(nil)
    Task {
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    // The semaphore orders the write before this read.
    return try result.withLock { $0! }.get()
}
