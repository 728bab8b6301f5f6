import Synchronization

/// A bound on a whole exchange with a peer. An HTTP client's own timeouts bound the answer's
/// head and each read, so an answer sent a byte at a time would never end without it.
public enum TimeLimit {
    /// The exchange did not end within its time.
    public struct Exceeded: Error, CustomStringConvertible {
        public let limit: Duration

        public var description: String { "no whole answer within \(limit)" }
    }

    /// `body`'s result, or ``Exceeded`` once `limit` has passed: then `body` is cancelled and
    /// left to end by itself. The caller does not wait for it, so that a body slow to notice
    /// its cancellation (a read in the middle of a trickling answer) cannot stretch the bound;
    /// a task group would wait for it.
    public static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                guard race.start(continuation) else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let work = Task {
                    do {
                        race.finish(.success(try await body()))
                    } catch {
                        race.finish(.failure(error))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if race.finish(.failure(Exceeded(limit: limit))) { work.cancel() }
                }
                race.keep(work: work, timer: timer)
            }
        } onCancel: {
            race.cancel()
        }
    }

    /// The first of the body's end, the time's end and the caller's cancellation resumes the
    /// caller, once.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var finished = false
            var cancelled = false
            var work: Task<Void, Never>?
            var timer: Task<Void, Never>?
        }

        private let state = Mutex(State())

        /// Keeps the caller's continuation; false when the caller was cancelled already.
        func start(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
            state.withLock { state in
                guard !state.cancelled else { return false }
                state.continuation = continuation
                return true
            }
        }

        func keep(work: Task<Void, Never>, timer: Task<Void, Never>) {
            let cancelled = state.withLock { state in
                state.work = work
                state.timer = timer
                return state.cancelled
            }
            if cancelled {
                work.cancel()
                timer.cancel()
            }
        }

        /// Resumes the caller with `result` unless it was resumed already; true when it was not.
        @discardableResult
        func finish(_ result: Result<T, any Error>) -> Bool {
            let (continuation, timer) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
                guard !state.finished, let continuation = state.continuation else { return (nil, nil) }
                state.finished = true
                state.continuation = nil
                return (continuation, state.timer)
            }
            guard let continuation else { return false }
            timer?.cancel()
            continuation.resume(with: result)
            return true
        }

        func cancel() {
            let (work, timer) = state.withLock { state in
                state.cancelled = true
                return (state.work, state.timer)
            }
            work?.cancel()
            timer?.cancel()
            finish(.failure(CancellationError()))
        }
    }
}
