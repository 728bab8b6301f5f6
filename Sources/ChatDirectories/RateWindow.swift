/// One documented rate limit: at most `limit` calls per `period` (Feishu's contact APIs:
/// "1000 次/分钟、50 次/秒", two windows that must both admit a call).
public struct RateWindow: Sendable, Hashable, CustomStringConvertible {
    public var limit: Int
    public var period: Duration

    public init(_ limit: Int, per period: Duration) {
        self.limit = max(limit, 1)
        self.period = period
    }

    public static func perSecond(_ limit: Int) -> RateWindow { RateWindow(limit, per: .seconds(1)) }
    public static func perMinute(_ limit: Int) -> RateWindow { RateWindow(limit, per: .seconds(60)) }

    public var description: String { "\(limit)/\(period)" }
}

/// The calls one window admitted, as a sliding log: a call may go when fewer than `limit`
/// calls went in the `period` before it. Unlike a token bucket (which lets `limit` through at
/// once and then refills, so up to twice the limit in one period), a log never lets more than
/// `limit` calls into any period, whichever way the platform counts its minute. Pure: the time
/// is given to every method. Memory is `limit` instants.
public struct SlidingWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let window: RateWindow
    /// The last `limit` calls' instants, oldest at `next` once full.
    private var calls: [Instant] = []
    private var next = 0

    public init(_ window: RateWindow) {
        self.window = window
        calls.reserveCapacity(min(window.limit, 4096))
    }

    /// How long from `now` until a call may go (zero when one may go now).
    public func wait(now: Instant) -> Duration {
        guard calls.count >= window.limit else { return .zero }
        let left = now.duration(to: calls[next].advanced(by: window.period))
        return max(left, .zero)
    }

    /// Counts a call made at `now`. Check ``wait(now:)`` first.
    public mutating func record(_ now: Instant) {
        if calls.count < window.limit {
            calls.append(now)
        } else {
            calls[next] = now
            next = (next + 1) % window.limit
        }
    }
}
