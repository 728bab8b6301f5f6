import Connectors
import Foundation
import Testing

/// Blocking calls made under ``BlockingThread`` wait on its thread, not on Swift's pool; awaits
/// in between suspend and come back to it.
@Suite struct BlockingThreadTests {
    @Test func blockingWorkRunsOnItsOwnThreadAcrossAwaits() async throws {
        let seen = try await BlockingThread.run(named: "scimsync.test") { thread async throws -> [Bool] in
            var seen: [Bool] = []
            for _ in 0..<3 {
                seen.append(thread.isCurrent)
                try await Task.sleep(for: .milliseconds(5))
            }
            seen.append(thread.isCurrent)
            return seen
        }
        #expect(seen == [true, true, true, true])
    }

    /// Eight passes each block until all eight are blocked at once: on Swift's pool (as wide
    /// as the machine has cores) they could not all be, and the barrier would give up.
    @Test func passesAtOnceEachBlockOnTheirOwnThread() async throws {
        let barrier = Barrier(parties: 8)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await BlockingThread.run(named: "scimsync.test-\(index)") { thread async throws -> Bool in
                        barrier.arriveAndWait(timeout: 120) && thread.isCurrent
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }
}

/// Blocks each caller until `parties` callers wait at once (true), or until `timeout` seconds
/// passed (false): a blocking call, as a C client's is.
private final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private let parties: Int
    private var arrived = 0

    init(parties: Int) {
        self.parties = parties
    }

    func arriveAndWait(timeout: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date().addingTimeInterval(timeout)
        while arrived < parties {
            if !condition.wait(until: deadline) { return arrived >= parties }
        }
        return true
    }
}

