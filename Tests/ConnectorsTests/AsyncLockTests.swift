import Connectors
import Synchronization
import Testing

/// What happened, in order, across tasks.
private final class Events: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ event: String) { list.withLock { $0.append(event) } }
    var all: [String] { list.withLock { $0 } }
}

@Suite struct AsyncLockTests {
    /// A second body waits while the first one is suspended inside the lock: what an actor
    /// would not do.
    @Test func aBodyRunsAloneEvenWhileItAwaits() async {
        let lock = AsyncLock()
        let events = Events()
        let (entered, enteredSignal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        let first = Task {
            await lock.withLock {
                events.add("first in")
                enteredSignal.yield()
                for await _ in release { break }
                events.add("first out")
            }
        }
        for await _ in entered { break }
        let second = Task { await lock.withLock { events.add("second in") } }
        // Every chance for the second body to enter, which it must not.
        for _ in 0..<200 { await Task.yield() }
        #expect(events.all == ["first in"])
        releaseSignal.yield()
        await first.value
        await second.value
        #expect(events.all == ["first in", "first out", "second in"])
    }

    /// A body that throws releases the lock.
    @Test func aThrowingBodyReleasesTheLock() async throws {
        struct Failure: Error {}
        let lock = AsyncLock()
        await #expect(throws: Failure.self) { try await lock.withLock { throw Failure() } }
        let value = await lock.withLock { 42 }
        #expect(value == 42)
    }
}
