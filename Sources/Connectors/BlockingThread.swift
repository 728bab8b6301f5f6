import Foundation

/// A task executor with a thread of its own, for async code that must also make blocking
/// calls (a reconciliation pass reads its source and target through C clients that block,
/// and applies through targets that are async): run it under
/// `withTaskExecutorPreference(thread)` and its blocking calls wait on this thread, never on
/// Swift's cooperative pool, while its awaits suspend as usual.
///
/// Jobs run one at a time, in the order they were enqueued. ``run(named:_:)`` starts one for
/// the duration of a body and ends its thread afterwards.
public final class BlockingThread: TaskExecutor, @unchecked Sendable {
    // The queue is guarded by `condition`; that is what makes the unchecked Sendable sound.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var ending = false
    private var thread: pthread_t?

    private init(name: String) {
        let thread = Thread { [self] in work() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` with its jobs (and those of its child tasks) on a new thread, which ends
    /// once `body` has returned.
    public static func run<T: Sendable>(
        named name: String, _ body: @Sendable (BlockingThread) async throws -> T
    ) async throws -> T {
        let thread = BlockingThread(name: name)
        defer { thread.end() }
        return try await withTaskExecutorPreference(thread) { try await body(thread) }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Whether the caller runs on this thread.
    public var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func work() {
        condition.lock()
        thread = pthread_self()
        condition.unlock()
        while true {
            condition.lock()
            while jobs.isEmpty && !ending { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }

    /// Lets the thread end once its queue is empty.
    private func end() {
        condition.lock()
        ending = true
        condition.signal()
        condition.unlock()
    }
}
