import Synchronization

/// Paces one app's calls to a platform on a clock (``PacerState`` decides): a call waits for
/// its API's windows, and for the pause a rate-limit answer imposed. The production clock is
/// `ContinuousClock`; tests pass a test clock and move time by hand.
public actor RequestPacer<C: Clock> where C.Duration == Duration {
    private var state: PacerState<C.Instant>
    private let clock: C
    /// Calls that had to wait, and how long in all (for tests, logs and metrics).
    public private(set) var waits = 0
    public private(set) var waited = Duration.zero

    public init(clock: C, defaultWindows: [RateWindow], limits: [String: [RateWindow]] = [:]) {
        self.clock = clock
        state = PacerState(defaultWindows: defaultWindows, limits: limits)
    }

    /// Returns when a call to `api` may go, and counts it.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func admit(_ api: String) async throws {
        var counted = false
        while true {
            let now = clock.now
            let wait = state.reserve(api, now: now)
            if wait == .zero { return }
            let deadline = now.advanced(by: wait)
            if !counted {
                waits += 1
                counted = true
            }
            waited += wait
            try await clock.sleep(until: deadline, tolerance: nil)
        }
    }

    /// The platform refused a call to `api` for its limit: nothing goes to `api` for `wait`.
    public func limited(_ api: String, wait: Duration) {
        state.limited(api, now: clock.now, wait: wait)
    }
}

extension RequestPacer where C == ContinuousClock {
    /// The pacer of one app on one platform (`feishu:cli_…`), shared by every pipeline of the
    /// process that reads or writes as that app: the platform counts the app's calls, not a
    /// pipeline's.
    public static func shared(
        app: String, defaultWindows: [RateWindow], limits: [String: [RateWindow]] = [:]
    ) -> RequestPacer<ContinuousClock> {
        sharedPacers.withLock { pacers in
            if let pacer = pacers[app] { return pacer }
            let pacer = RequestPacer<ContinuousClock>(
                clock: ContinuousClock(), defaultWindows: defaultWindows, limits: limits)
            pacers[app] = pacer
            return pacer
        }
    }
}

private let sharedPacers = Mutex<[String: RequestPacer<ContinuousClock>]>([:])
