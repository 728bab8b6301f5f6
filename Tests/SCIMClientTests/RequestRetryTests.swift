import SCIMClient
import Testing

/// The retry state machine, without a provider: which answers are retried, how long it waits,
/// when it gives up.
@Suite struct RequestRetryTests {
    let policy = RetryPolicy(
        initialDelay: .milliseconds(100), maximumDelay: .seconds(1), multiplier: 2, jitter: 0.2, maximumAttempts: 4,
        maximumRetryAfter: .seconds(10))

    @Test func aSuccessIsDeliveredAtOnce() {
        var retry = RequestRetry(policy: policy)
        #expect(retry.responseReceived(status: 201, retryAfter: nil, unitRandom: 0.5) == .deliver)
        #expect(retry.attempts == 1)
    }

    @Test(arguments: [400, 401, 403, 404, 409, 412, 422, 501])
    func clientErrorsAndNotImplementedAreNeverRetried(status: Int) {
        var retry = RequestRetry(policy: policy)
        #expect(retry.responseReceived(status: status, retryAfter: .seconds(1), unitRandom: 0.5) == .deliver)
    }

    @Test(arguments: [429, 500, 502, 503, 504])
    func overloadAndServerErrorsAreRetried(status: Int) {
        var retry = RequestRetry(policy: policy)
        #expect(retry.responseReceived(status: status, retryAfter: nil, unitRandom: 0.5) == .retry(after: .milliseconds(100), retry: 1))
        #expect(retry.retryDelayElapsed() == RequestRetry.Action.none)
        #expect(retry.attempts == 2)
        #expect(retry.responseReceived(status: 200, retryAfter: nil, unitRandom: 0.5) == .deliver)
    }

    @Test func retryAfterIsHonouredInsteadOfTheBackoff() {
        var retry = RequestRetry(policy: policy)
        #expect(retry.responseReceived(status: 429, retryAfter: .seconds(3), unitRandom: 0.5) == .retry(after: .seconds(3), retry: 1))
        _ = retry.retryDelayElapsed()
        #expect(retry.responseReceived(status: 503, retryAfter: .seconds(3600), unitRandom: 0.5) == .retry(after: .seconds(10), retry: 2))
    }

    @Test func backoffDoublesUpToTheCapThenGivesUp() {
        var retry = RequestRetry(policy: RetryPolicy(
            initialDelay: .milliseconds(300), maximumDelay: .seconds(1), jitter: 0, maximumAttempts: 5))
        var waits: [Duration] = []
        while case .retry(let wait, _) = retry.networkFailed(unitRandom: 0.9) {
            waits.append(wait)
            _ = retry.retryDelayElapsed()
        }
        #expect(waits == [.milliseconds(300), .milliseconds(600), .seconds(1), .seconds(1)])
        #expect(retry.attempts == 5)
        #expect(retry.responseReceived(status: 200, retryAfter: nil, unitRandom: 0.5) == RequestRetry.Action.none)
    }

    @Test func theLastAttemptsFailureIsSurfaced() {
        var retry = RequestRetry(policy: RetryPolicy(maximumAttempts: 2))
        guard case .retry = retry.responseReceived(status: 503, retryAfter: nil, unitRandom: 0.5) else {
            Issue.record("the first 503 should be retried")
            return
        }
        _ = retry.retryDelayElapsed()
        #expect(retry.responseReceived(status: 503, retryAfter: nil, unitRandom: 0.5) == .giveUp(attempts: 2))
    }

    @Test func jitterStaysWithinItsShareAndTheCap() {
        let policy = RetryPolicy(initialDelay: .seconds(1), maximumDelay: .seconds(10), jitter: 0.2)
        func close(_ a: Duration, _ b: Duration) -> Bool { abs((a - b) / .microseconds(1)) < 1 }
        #expect(close(policy.backoff(beforeRetry: 1, unitRandom: 0), .milliseconds(800)))
        #expect(close(policy.backoff(beforeRetry: 1, unitRandom: 1), .milliseconds(1200)))
        #expect(policy.backoff(beforeRetry: 60, unitRandom: 1) == .seconds(10))
    }

    @Test func eventsOutOfTurnDoNothing() {
        var retry = RequestRetry(policy: policy)
        #expect(retry.retryDelayElapsed() == RequestRetry.Action.none)
        _ = retry.responseReceived(status: 200, retryAfter: nil, unitRandom: 0.5)
        #expect(retry.networkFailed(unitRandom: 0.5) == RequestRetry.Action.none)
    }
}
