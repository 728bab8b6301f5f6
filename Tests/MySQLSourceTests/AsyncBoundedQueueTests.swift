import Synchronization
import Testing

@testable import MySQLSource

private struct QueueFailure: Error, Equatable {}

/// The queue between `scimsync tail`'s reading task and its writing one.
@Suite struct AsyncBoundedQueueTests {
    @Test func elementsArriveInOrderThenTheEnd() async throws {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        let producer = Task {
            for value in 0..<100 {
                guard await queue.send(value) else { return false }
            }
            await queue.finish()
            return true
        }
        var received: [Int] = []
        while let value = try await queue.receive() {
            received.append(value)
        }
        #expect(received == Array(0..<100))
        #expect(await producer.value)
        #expect(try await queue.receive() == nil)
    }

    @Test func anErrorArrivesOnceAfterTheElementsBeforeIt() async throws {
        let queue = AsyncBoundedQueue<Int>(capacity: 4)
        #expect(await queue.send(1))
        #expect(await queue.send(2))
        await queue.finish(throwing: QueueFailure())
        #expect(try await queue.receive() == 1)
        #expect(try await queue.receive() == 2)
        await #expect(throws: QueueFailure.self) { try await queue.receive() }
        #expect(try await queue.receive() == nil)
    }

    /// A full queue holds the producer until the consumer takes an element: memory stays
    /// bounded by the capacity.
    @Test func aFullQueueHoldsTheProducer() async throws {
        let queue = AsyncBoundedQueue<Int>(capacity: 2)
        let sent = Atomic<Int>(0)
        let producer = Task {
            for value in 0..<3 {
                guard await queue.send(value) else { return }
                sent.add(1, ordering: .sequentiallyConsistent)
            }
        }
        // The first two fit; the third waits for room however long the producer runs.
        while sent.load(ordering: .sequentiallyConsistent) < 2 { await Task.yield() }
        for _ in 0..<1_000 { await Task.yield() }
        #expect(sent.load(ordering: .sequentiallyConsistent) == 2)
        #expect(try await queue.receive() == 0)
        await producer.value
        #expect(sent.load(ordering: .sequentiallyConsistent) == 3)
        #expect(try await queue.receive() == 1)
        #expect(try await queue.receive() == 2)
    }

    /// The consumer going away (its output closed) releases a producer waiting for room, and
    /// every later send says to stop.
    @Test func cancellingReleasesAWaitingProducer() async throws {
        let queue = AsyncBoundedQueue<Int>(capacity: 1)
        #expect(await queue.send(0))
        let waiting = Task { await queue.send(1) }
        await queue.cancel()
        #expect(await waiting.value == false)
        #expect(await queue.send(2) == false)
        #expect(try await queue.receive() == nil)
    }

    /// A consumer waiting for an element is woken by the end.
    @Test func aWaitingConsumerIsWokenByTheEnd() async throws {
        let queue = AsyncBoundedQueue<Int>(capacity: 1)
        let consumer = Task { try await queue.receive() }
        await queue.finish(throwing: QueueFailure())
        await #expect(throws: QueueFailure.self) { try await consumer.value }
    }
}
