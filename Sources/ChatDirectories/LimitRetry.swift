import Connectors

/// What to do after a platform refused a call for its rate limit (Feishu: HTTP 429 or code
/// 99991400 with `x-ogw-ratelimit-reset`; DingTalk and WeCom have codes of their own): wait what
/// the platform said, or the system's ``Connectors/Backoff`` when it said nothing, and try
/// again, at most `maximumAttempts` calls in all. Pure, like ``PacerState``.
public struct LimitRetry: Sendable, Hashable {
    public let backoff: Backoff
    /// Calls in all, the first included.
    public let maximumAttempts: Int
    /// Calls made so far, the one just refused included.
    public private(set) var attempts = 1

    public init(backoff: Backoff = Backoff(initialDelay: .seconds(1), maximumDelay: .seconds(60)), maximumAttempts: Int = 6) {
        self.backoff = backoff
        self.maximumAttempts = max(maximumAttempts, 1)
    }

    /// The call was refused for the limit. Returns how long to wait before calling again, or
    /// nil when the attempts are used up.
    ///
    /// - Parameters:
    ///   - reset: the wait the platform gave (Feishu's `x-ogw-ratelimit-reset`, whole seconds),
    ///     if any; a wait of the backoff's size is added to it when it is zero.
    ///   - unitRandom: a random number in 0 ..< 1 for the backoff's jitter.
    public mutating func limited(reset: Duration?, unitRandom: Double) -> Duration? {
        guard attempts < maximumAttempts else { return nil }
        attempts += 1
        let computed = backoff.delay(beforeAttempt: attempts - 1, unitRandom: unitRandom)
        guard let reset, reset > .zero else { return computed }
        return min(reset, backoff.maximumDelay)
    }
}
