import Foundation

/// A bounded single-producer, single-consumer queue from a blocking thread to async code.
///
/// Why not an AsyncStream: its buffering policies either grow without bound or drop
/// elements, and `yield` never blocks, so a fast server and a slow target would fill memory
/// or lose events. Here the producer (a dedicated reader thread, never a cooperative-pool
/// thread) blocks on a condition variable while the buffer is full: backpressure reaches the
/// socket, and the server's own send buffer holds the rest. The consumer suspends on a
/// continuation while the buffer is empty, so no pool thread ever waits on the condition.
///
/// The end of the stream (`finish`, with or without an error) is delivered after every element
/// sent before it, so an error never overtakes the events that preceded it.
final class BoundedEventChannel<Element: Sendable>: @unchecked Sendable {
    // Everything below is guarded by `condition`'s lock. Continuations are resumed after the
    // lock is released.
    private let condition = NSCondition()
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var consumer: CheckedContinuation<Element?, any Error>?
    private var ending: Ending?
    private var cancelled = false
    private var highWater = 0

    private enum Ending {
        case finished
        case failed(any Error)
    }

    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "a channel needs room for at least one element")
        self.capacity = capacity
        buffer = Array(repeating: nil, count: capacity)
    }

    /// The most elements the buffer has ever held at once (never more than `capacity`).
    var highWaterMark: Int {
        condition.lock()
        defer { condition.unlock() }
        return highWater
    }

    /// Elements waiting for the consumer now.
    var bufferedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Producer side: hands `element` to a waiting consumer or buffers it, blocking the calling
    /// thread while the buffer is full.
    /// - Returns: false when the channel was cancelled or finished: stop producing.
    func send(_ element: Element) -> Bool {
        condition.lock()
        while count == capacity && !cancelled {
            condition.wait()
        }
        guard !cancelled, ending == nil else {
            condition.unlock()
            return false
        }
        if let waiting = consumer {
            consumer = nil
            condition.unlock()
            waiting.resume(returning: element)
            return true
        }
        buffer[(head + count) % capacity] = element
        count += 1
        highWater = max(highWater, count)
        condition.unlock()
        return true
    }

    /// Producer side: no more elements. The consumer receives what is buffered, then `error`
    /// (once) or the end.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        guard ending == nil else {
            condition.unlock()
            return
        }
        ending = error.map(Ending.failed) ?? .finished
        let waiting = count == 0 ? consumer : nil
        if waiting != nil {
            consumer = nil
            ending = .finished
        }
        condition.unlock()
        if let waiting {
            if let error {
                waiting.resume(throwing: error)
            } else {
                waiting.resume(returning: nil)
            }
        }
    }

    /// Consumer side: stops the channel. The producer's pending and future `send`s return
    /// false, buffered elements are dropped, and a waiting `receive` returns nil.
    func cancel() {
        condition.lock()
        cancelled = true
        buffer = Array(repeating: nil, count: capacity)
        count = 0
        let waiting = consumer
        consumer = nil
        condition.broadcast()
        condition.unlock()
        waiting?.resume(returning: nil)
    }

    /// Consumer side: up to `limit` elements already buffered, in order, without waiting;
    /// empty when none are. The end of the stream is left for ``receive()`` to deliver.
    func takeBuffered(limit: Int) -> [Element] {
        condition.lock()
        let taking = min(limit, count)
        guard taking > 0 else {
            condition.unlock()
            return []
        }
        var taken: [Element] = []
        taken.reserveCapacity(taking)
        for _ in 0..<taking {
            if let element = buffer[head] { taken.append(element) }
            buffer[head] = nil
            head = (head + 1) % capacity
        }
        count -= taking
        // The producer may be waiting for room.
        condition.signal()
        condition.unlock()
        return taken
    }

    /// Consumer side: the next element, suspending while the buffer is empty; nil at the end.
    /// Throws the producer's error once, after every element sent before it, and
    /// `CancellationError` when the calling task is cancelled while waiting.
    func receive() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                condition.lock()
                if count > 0 {
                    let element = buffer[head]
                    buffer[head] = nil
                    head = (head + 1) % capacity
                    count -= 1
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: element)
                    return
                }
                if cancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                    return
                }
                switch ending {
                case .failed(let error):
                    // Delivered once; afterwards the channel simply ends.
                    ending = .finished
                    condition.unlock()
                    continuation.resume(throwing: error)
                    return
                case .finished:
                    condition.unlock()
                    continuation.resume(returning: nil)
                    return
                case nil:
                    break
                }
                // Checked under the lock: the cancellation handler below takes the same lock,
                // so either it sees the stored continuation or this sees the cancellation.
                if Task.isCancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                    return
                }
                consumer = continuation
                condition.unlock()
            }
        } onCancel: {
            condition.lock()
            let waiting = consumer
            consumer = nil
            condition.unlock()
            waiting?.resume(throwing: CancellationError())
        }
    }
}
