import Connectors

/// How a SCIM request is retried: capped exponential backoff with jitter, a bounded number of
/// attempts, and how far a provider's `Retry-After` is followed.
///
/// Only failures that a later attempt can cure are retried: a network error, HTTP 429 and 5xx
/// (but 501, which says the provider lacks the feature). Every other 4xx is the request's
/// fault and is surfaced at once (RFC 7644 §3.12: the provider's `detail` says why).
public struct RetryPolicy: Sendable, Hashable {
    /// The wait before the first retry.
    public var initialDelay: Duration
    /// No computed wait is longer than this, jitter included.
    public var maximumDelay: Duration
    /// Each consecutive failure multiplies the wait by this (≥ 1).
    public var multiplier: Double
    /// The wait varies randomly by up to this share either way (0 ... 1).
    public var jitter: Double
    /// Attempts in all (the first included) before the failure is surfaced; at least 1.
    public var maximumAttempts: Int
    /// The longest `Retry-After` honoured as given; a longer one is cut to this, so that one
    /// provider cannot park a pipeline for hours inside a single request.
    public var maximumRetryAfter: Duration

    public init(
        initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(30), multiplier: Double = 2,
        jitter: Double = 0.2, maximumAttempts: Int = 6, maximumRetryAfter: Duration = .seconds(120)
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = max(multiplier, 1)
        self.jitter = min(max(jitter, 0), 1)
        self.maximumAttempts = max(maximumAttempts, 1)
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// The backoff before retry number `retry` (1 for the first).
    ///
    /// - Parameter unitRandom: a random number in 0 ..< 1 choosing the jitter; 0.5 gives the
    ///   undisturbed exponential value.
    public func backoff(beforeRetry retry: Int, unitRandom: Double) -> Duration {
        schedule.delay(beforeAttempt: retry, unitRandom: unitRandom)
    }

    /// The backoff schedule every retry in scimsync uses.
    public var schedule: Backoff {
        Backoff(initialDelay: initialDelay, maximumDelay: maximumDelay, multiplier: multiplier, jitter: jitter)
    }

    /// Whether a response with this status is worth sending again.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status) && status != 501
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var seconds: Double {
        let components = components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
