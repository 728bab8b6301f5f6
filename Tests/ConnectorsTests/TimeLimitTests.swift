import Connectors
import Synchronization
import Testing

/// The bound on a whole exchange holds even for a body that does not notice its
/// cancellation: the caller is answered at the limit, not when the body ends.
@Suite struct TimeLimitTests {
    /// Ends `seconds` after it starts, whatever cancellation says.
    static func deaf(_ seconds: Int) async -> Int {
        await withCheckedContinuation { continuation in
            Task.detached {
                try? await ContinuousClock().sleep(until: .now + .seconds(seconds), tolerance: nil)
                continuation.resume(returning: seconds)
            }
        }
    }

    @Test func aBodyDeafToCancellationIsCutAtTheLimit() async throws {
        let started = ContinuousClock.now
        await #expect(throws: TimeLimit.Exceeded.self) {
            _ = try await TimeLimit.within(.milliseconds(100)) { await Self.deaf(20) }
        }
        // The limit, not the body's 20 s; a bound a loaded machine keeps.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func anAnswerInTimeAndAFailureInTimeComeBackAsTheyAre() async throws {
        #expect(try await TimeLimit.within(.seconds(60)) { 7 } == 7)
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            _ = try await TimeLimit.within(.seconds(60)) { () async throws -> Int in throw Refused() }
        }
    }

    @Test func theCallersCancellationEndsTheWait() async throws {
        let started = ContinuousClock.now
        let call = Task { try await TimeLimit.within(.seconds(60)) { await Self.deaf(20) } }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
