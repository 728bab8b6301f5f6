/// The retry logic of one SCIM request as a value-type state machine (the shape of
/// postgres-nio's ConnectionStateMachine): each method is named after what happened and
/// returns what the I/O shell must do. No clock, no sockets, no randomness of its own, so
/// every path is tested without a provider.
///
/// ```
/// sending ──response 2xx/3xx/4xx (not 429)──▶ done (deliver)
///    │ ▲
///    │ └──────────── retryDelayElapsed ◀── waiting
///    └── response 429/5xx (not 501), network failure ──▶ waiting, or gaveUp when attempts are used up
/// ```
public struct RequestRetry: Sendable, Hashable {
    /// What the I/O shell must do next.
    public enum Action: Sendable, Hashable {
        /// Hand the response to the caller: it succeeded, or failed in a way retrying cannot cure.
        case deliver
        /// Sleep this long, then call ``retryDelayElapsed()`` and send the request again.
        /// `retry` counts the retries so far (1 for the first), for logs.
        case retry(after: Duration, retry: Int)
        /// Surface the last failure: the attempts are used up.
        case giveUp(attempts: Int)
        /// The event does not fit the state (a bug in the shell); nothing to do.
        case none
    }

    enum State: Sendable, Hashable {
        case sending
        case waiting
        case done
    }

    public let policy: RetryPolicy
    private(set) var state: State = .sending
    /// Requests sent so far, the one in flight included.
    public private(set) var attempts = 1

    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// The provider answered with `status`.
    ///
    /// - Parameters:
    ///   - retryAfter: the response's `Retry-After`, already turned into a wait.
    ///   - unitRandom: a random number in 0 ..< 1 for the jitter (fixed in tests).
    public mutating func responseReceived(status: Int, retryAfter: Duration?, unitRandom: Double) -> Action {
        switch state {
        case .sending:
            guard RetryPolicy.isRetryable(status: status) else {
                state = .done
                return .deliver
            }
            return failed(retryAfter: retryAfter, unitRandom: unitRandom)
        case .waiting, .done:
            return .none
        }
    }

    /// The request did not get an answer: no connection, a reset, a timeout.
    public mutating func networkFailed(unitRandom: Double) -> Action {
        switch state {
        case .sending:
            return failed(retryAfter: nil, unitRandom: unitRandom)
        case .waiting, .done:
            return .none
        }
    }

    /// The wait the last `.retry` asked for is over: the request goes out again.
    public mutating func retryDelayElapsed() -> Action {
        switch state {
        case .waiting:
            state = .sending
            attempts += 1
            return .none
        case .sending, .done:
            return .none
        }
    }

    private mutating func failed(retryAfter: Duration?, unitRandom: Double) -> Action {
        guard attempts < policy.maximumAttempts else {
            state = .done
            return .giveUp(attempts: attempts)
        }
        state = .waiting
        let delay: Duration
        if let retryAfter {
            // The provider knows when it will take requests again (RFC 9110 §10.2.3); asking
            // earlier only earns another 429.
            delay = min(max(retryAfter, .zero), policy.maximumRetryAfter)
        } else {
            delay = policy.backoff(beforeRetry: attempts, unitRandom: unitRandom)
        }
        return .retry(after: delay, retry: attempts)
    }
}
