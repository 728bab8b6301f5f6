/// How long to wait before trying again: capped exponential backoff with jitter. The one retry
/// schedule of every connector and of the pipeline (a binlog reconnection, a target that
/// failed, a SCIM request, a pull), so that every retry in the system reads and behaves alike.
///
/// Jitter spreads the attempts of many clients of one restarted server, so that they do not
/// all knock at the same instant.
public struct Backoff: Sendable, Hashable {
    /// The wait before the first retry.
    public var initialDelay: Duration
    /// No wait is longer than this, jitter included.
    public var maximumDelay: Duration
    /// Each consecutive failure multiplies the wait by this (≥ 1).
    public var multiplier: Double
    /// The wait varies randomly by up to this share either way (0 ... 1): 0.2 means ±20 %.
    public var jitter: Double
    /// Consecutive failed attempts after which the error is surfaced instead of retried; nil
    /// to retry for ever (a daemon waiting for its server to come back).
    public var maximumAttempts: Int?

    public init(
        initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(60), multiplier: Double = 2,
        jitter: Double = 0.2, maximumAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = max(multiplier, 1)
        self.jitter = min(max(jitter, 0), 1)
        self.maximumAttempts = maximumAttempts
    }

    /// The wait before attempt `attempt` (1 for the first retry after a failure).
    ///
    /// - Parameter unitRandom: a random number in 0 ..< 1 choosing the jitter; 0.5 gives the
    ///   undisturbed exponential value.
    public func delay(beforeAttempt attempt: Int, unitRandom: Double) -> Duration {
        let maximum = maximumDelay.secondsValue
        // Capping before multiplying keeps the value finite for any attempt count.
        var base = initialDelay.secondsValue
        var step = 1
        while step < attempt && base < maximum {
            base *= multiplier
            step += 1
        }
        base = min(base, maximum)
        let factor = 1 + jitter * (2 * min(max(unitRandom, 0), 1) - 1)
        return .seconds(min(max(base * factor, 0), maximum))
    }

    /// Whether attempt number `attempt` may still be made.
    public func allows(attempt: Int) -> Bool {
        maximumAttempts.map { attempt <= $0 } ?? true
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    public var secondsValue: Double {
        let components = components
        return Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
