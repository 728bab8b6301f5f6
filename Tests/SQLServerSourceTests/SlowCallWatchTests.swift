import Synchronization
import TestSupport
import Testing

@testable import SQLServerSource

/// The poll's watch, without a server: a call that waits past its time is said, and so is its
/// answer after all; a call that answers in time says nothing.
@Suite struct SlowCallWatchTests {
    final class Said: Sendable {
        let lines = Mutex<[String?]>([])
        var all: [String?] { lines.withLock { $0 } }
        func add(_ line: String?) { lines.withLock { $0.append(line) } }
    }

    @Test func aCallThatWaitsIsSaidAndSoIsItsAnswer() async throws {
        let said = Said()
        let watch = SlowCallWatch(after: .milliseconds(10), told: { said.add($0) }) { "no answer for \($0)" }
        // The call answers only once its wait was said, however slowly a loaded machine runs
        // the watch.
        let answer = try await watch.run {
            let deadline = ContinuousClock.now + TestBounds.serverEvent
            while said.all.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            return 42
        }
        #expect(answer == 42)
        #expect(said.all == ["no answer for 0.01 seconds", nil])
    }

    @Test func aCallThatAnswersInTimeSaysNothing() async throws {
        let said = Said()
        let watch = SlowCallWatch(after: .seconds(60), told: { said.add($0) }) { "no answer for \($0)" }
        #expect(try await watch.run { 7 } == 7)
        #expect(said.all.isEmpty)
    }

    @Test func aCallThatFailsAfterItsWaitWasSaidSaysNoAnswer() async throws {
        struct Gone: Error {}
        let said = Said()
        let watch = SlowCallWatch(after: .milliseconds(10), told: { said.add($0) }) { "no answer for \($0)" }
        await #expect(throws: Gone.self) {
            _ = try await watch.run { () async throws -> Int in
                let deadline = ContinuousClock.now + TestBounds.serverEvent
                while said.all.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                throw Gone()
            }
        }
        #expect(said.all == ["no answer for 0.01 seconds"])
    }
}
