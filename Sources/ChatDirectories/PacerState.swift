/// The pacing of one app's calls to a platform, per API: each API's rate windows as sliding
/// logs (``SlidingWindow``), and a pause after the platform answered that a limit was hit.
/// Pure (the time is given), so the pacing is tested without servers or sleeps;
/// ``RequestPacer`` runs it on a clock.
public struct PacerState<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The windows of an API not named in `limits`.
    public let defaultWindows: [RateWindow]
    /// Windows of particular APIs (by the platform's API name).
    public let limits: [String: [RateWindow]]
    private var logs: [String: [SlidingWindow<Instant>]] = [:]
    private var pausedUntil: [String: Instant] = [:]

    public init(defaultWindows: [RateWindow], limits: [String: [RateWindow]] = [:]) {
        self.defaultWindows = defaultWindows
        self.limits = limits
    }

    /// Asks to call `api` now: zero when the call may go (and it is counted in every window),
    /// else how long to wait before asking again (nothing is counted).
    public mutating func reserve(_ api: String, now: Instant) -> Duration {
        if let until = pausedUntil[api] {
            let left = now.duration(to: until)
            if left > .zero { return left }
            pausedUntil[api] = nil
        }
        var windows = logs[api] ?? (limits[api] ?? defaultWindows).map { SlidingWindow<Instant>($0) }
        let wait = windows.map { $0.wait(now: now) }.max() ?? .zero
        if wait == .zero {
            for index in windows.indices { windows[index].record(now) }
        }
        logs[api] = windows
        return wait
    }

    /// The platform refused a call to `api` for its rate limit and said (or the retry rule
    /// chose) to wait `wait`: no call to `api` goes before then. (The platform may count calls
    /// this pacer did not see: other processes' of the same app.)
    public mutating func limited(_ api: String, now: Instant, wait: Duration) {
        let until = now.advanced(by: max(wait, .zero))
        if let known = pausedUntil[api], known > until { return }
        pausedUntil[api] = until
    }
}
