import Synchronization
import Testing

@testable import PipelineCore

/// The watch on a batch's write, by the clock it is given: said once when the write has
/// waited too long, and again (nil) when the target answers; a failed write, or one in time,
/// says nothing more.
@Suite struct ApplyWatchTests {
    final class Said: Sendable {
        let lines = Mutex<[String?]>([])
        var all: [String?] { lines.withLock { $0 } }
        func add(_ line: String?) { lines.withLock { $0.append(line) } }
    }

    @Test func aWriteThatWaitsIsSaidOnceAndSoIsItsAnswer() {
        let said = Said()
        let watch = ApplyWatch(after: .seconds(10), told: { said.add($0) })
        let start = ContinuousClock.now
        watch.started(operations: 3)
        watch.look(now: start + .seconds(5))
        #expect(said.all.isEmpty)
        watch.look(now: start + .seconds(11))
        watch.look(now: start + .seconds(12))
        #expect(said.all.count == 1)
        #expect(said.all.first??.contains("a batch of 3 operations for 10.0 seconds") == true, "\(said.all)")
        watch.finished(answered: true)
        #expect(said.all.count == 2 && said.all.last == .some(nil))
    }

    @Test func aWriteInTimeOrAFailedOneSaysNothingMore() {
        let said = Said()
        let watch = ApplyWatch(after: .seconds(10), told: { said.add($0) })
        watch.started(operations: 1)
        watch.finished(answered: true)
        watch.look(now: ContinuousClock.now + .seconds(60))
        #expect(said.all.isEmpty, "nothing in progress")

        watch.started(operations: 1)
        watch.look(now: ContinuousClock.now + .seconds(11))
        watch.finished(answered: false)
        #expect(said.all.count == 1, "the failure says itself")
    }
}
