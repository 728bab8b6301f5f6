/// A bounded single-producer, single-consumer queue between two tasks: `send` suspends while
/// `capacity` elements wait, `receive` suspends while none do.
///
/// Why not an AsyncStream: its buffering policies either grow without bound or drop elements,
/// and its `yield` never waits, so a fast producer would fill memory. Why not
/// `BoundedEventChannel`: its producer blocks a thread while the buffer is full, which is right
/// for a dedicated reader thread and wrong for a task on the cooperative pool.
///
/// The end (`finish`, with or without an error) is delivered after every element sent before
/// it, so an error never overtakes what preceded it.
actor AsyncBoundedQueue<Element: Sendable> {
    private var buffer: [Element] = []
    /// `buffer[head...]` waits for the consumer.
    private var head = 0
    private var consumer: CheckedContinuation<Element?, any Error>?
    private var producer: CheckedContinuation<Void, Never>?
    private var ending: Result<Void, any Error>?
    private var cancelled = false

    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "a queue needs room for at least one element")
        self.capacity = capacity
    }

    private var count: Int { buffer.count - head }

    /// Producer side: hands `element` to a waiting consumer or buffers it, suspending while the
    /// buffer is full.
    /// - Returns: false when the consumer cancelled the queue: stop producing.
    func send(_ element: Element) async -> Bool {
        while count >= capacity, !cancelled {
            await withCheckedContinuation { producer = $0 }
        }
        return deliver(element)
    }

    private func deliver(_ element: Element) -> Bool {
        guard !cancelled, ending == nil else { return false }
        if let waiting = consumer {
            consumer = nil
            waiting.resume(returning: element)
            return true
        }
        if head > 0, head == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            head = 0
        }
        buffer.append(element)
        return true
    }

    /// Producer side: no more elements. The consumer receives what is buffered, then `error`
    /// (once) or the end.
    func finish(throwing error: (any Error)? = nil) {
        guard ending == nil else { return }
        ending = error.map { .failure($0) } ?? .success(())
        guard count == 0, let waiting = consumer else { return }
        consumer = nil
        deliverEnding(to: waiting)
    }

    /// Consumer side: stops the queue. A waiting or later `send` returns false, buffered
    /// elements are dropped, and `receive` returns nil.
    func cancel() {
        cancelled = true
        buffer.removeAll()
        head = 0
        producer?.resume()
        producer = nil
        consumer?.resume(returning: nil)
        consumer = nil
    }

    /// Consumer side: the next element, suspending while there is none; nil at the end or
    /// once cancelled. Throws the producer's error once, after every element sent before it.
    func receive() async throws -> Element? {
        if count > 0 {
            let element = buffer[head]
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            }
            producer?.resume()
            producer = nil
            return element
        }
        if cancelled { return nil }
        if ending != nil {
            return try takeEnding()
        }
        return try await withCheckedThrowingContinuation { consumer = $0 }
    }

    private func takeEnding() throws -> Element? {
        if case .failure(let error) = ending {
            // Delivered once; afterwards the queue simply ends.
            ending = .success(())
            throw error
        }
        return nil
    }

    private func deliverEnding(to waiting: CheckedContinuation<Element?, any Error>) {
        do {
            waiting.resume(returning: try takeEnding())
        } catch {
            waiting.resume(throwing: error)
        }
    }
}
