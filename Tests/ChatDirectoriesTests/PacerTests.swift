import ChatDirectories
import Clocks
import Connectors
import TestSupport
import Testing

/// The pacing logic with a test clock: Feishu's two windows, the pause after a limit answer,
/// the bounded retries. No server, no sleeping.
@Suite struct PacerTests {
    typealias Instant = TestClock<Duration>.Instant

    func near(_ a: Duration, _ b: Duration) -> Bool { abs((a - b).secondsValue) < 1e-6 }

    @Test func fiftyASecondThenTheNextWaitsForTheOldestToLeaveTheWindow() {
        let clock = TestClock()
        var state = PacerState<Instant>(defaultWindows: [.perSecond(50), .perMinute(1000)])
        for _ in 0..<50 { #expect(state.reserve("contact.v3.user.find_by_department", now: clock.now) == .zero) }
        #expect(near(state.reserve("contact.v3.user.find_by_department", now: clock.now), .seconds(1)))
        // Each API has its own windows.
        #expect(state.reserve("contact.v3.department.children", now: clock.now) == .zero)
    }

    /// Greedy calls for two minutes: never more than 50 in any second, 1,000 in any minute
    /// (a token bucket would let 2,000 through in the first minute).
    @Test func bothWindowsHoldOverTwoMinutes() {
        var now = TestClock<Duration>().now
        let start = now
        var state = PacerState<Instant>(defaultWindows: FeishuClient.contactWindows)
        var admitted: [Duration] = []
        while start.duration(to: now) < .seconds(120) {
            let wait = state.reserve("api", now: now)
            if wait == .zero {
                admitted.append(start.duration(to: now))
            } else {
                now = now.advanced(by: wait)
            }
        }
        func count(from: Duration, length: Duration) -> Int {
            admitted.filter { $0 >= from && $0 < from + length }.count
        }
        #expect(count(from: .zero, length: .seconds(60)) == 1000)
        #expect(count(from: .seconds(60), length: .seconds(60)) == 1000)
        for second in 0..<119 {
            for offset in [Duration.zero, .milliseconds(500)] {
                #expect(count(from: .seconds(second) + offset, length: .seconds(1)) <= 50)
            }
        }
        for start in stride(from: 0, to: 60, by: 7) {
            #expect(count(from: .seconds(start), length: .seconds(60)) <= 1000)
        }
        #expect(count(from: .zero, length: .seconds(20)) == 1000, "the first thousand go at 50 a second")
    }

    @Test func aLimitAnswerPausesTheAPI() {
        var now = TestClock<Duration>().now
        var state = PacerState<Instant>(defaultWindows: [.perSecond(50)])
        #expect(state.reserve("a", now: now) == .zero)
        state.limited("a", now: now, wait: .seconds(3))
        #expect(near(state.reserve("a", now: now), .seconds(3)))
        #expect(state.reserve("b", now: now) == .zero)
        // A shorter pause asked later does not shorten the first.
        state.limited("a", now: now, wait: .seconds(1))
        now = now.advanced(by: .seconds(2))
        #expect(near(state.reserve("a", now: now), .seconds(1)))
        now = now.advanced(by: .seconds(1))
        #expect(state.reserve("a", now: now) == .zero)
    }

    @Test func theRetryHonoursTheResetHeaderAndGivesUp() {
        var retry = LimitRetry(
            backoff: Backoff(initialDelay: .seconds(1), maximumDelay: .seconds(60), jitter: 0), maximumAttempts: 4)
        #expect(retry.limited(reset: .seconds(5), unitRandom: 0.5) == .seconds(5))
        // No header: the backoff's schedule (1 s, then 2 s ...).
        #expect(retry.limited(reset: nil, unitRandom: 0.5) == .seconds(2))
        // An absurd header is capped by the backoff's maximum.
        #expect(retry.limited(reset: .seconds(3600), unitRandom: 0.5) == .seconds(60))
        #expect(retry.attempts == 4)
        #expect(retry.limited(reset: .seconds(1), unitRandom: 0.5) == nil)
    }

    @Test func thePacerWaitsOnItsClock() async throws {
        let clock = TestClock()
        let pacer = RequestPacer(clock: clock, defaultWindows: [.perSecond(2)])
        try await pacer.admit("a")
        try await pacer.admit("a")
        let third = Task { try await pacer.admit("a") }
        #expect(try await eventually { await pacer.waits == 1 })
        await clock.advance(by: .milliseconds(999))
        await clock.advance(by: .milliseconds(1))
        try await third.value
        #expect(await pacer.waited == .seconds(1))

        await pacer.limited("a", wait: .seconds(5))
        let fourth = Task { try await pacer.admit("a") }
        #expect(try await eventually { await pacer.waits == 2 })
        await clock.advance(by: .seconds(5))
        try await fourth.value
    }
}
