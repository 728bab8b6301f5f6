import Connectors
import SQLClients

/// The reconnect logic of a binlog reader as a value-type state machine (the shape of
/// postgres-nio's ConnectionStateMachine): each method is named after what happened, updates
/// the state and returns the action the I/O shell must take. No clock, no sockets, no
/// randomness of its own: testable without a server.
///
/// ```
/// idle ──start──▶ connecting ──connected──▶ streaming ──failed(retryable)──▶ waiting
///                   ▲    │                     │                            │
///                   │    └──failed(retryable)──┼───────────────────────────▶│
///                   └─────────────delayElapsed─┼────────────────────────────┘
///   failed(not retryable, or attempts used up) ─▶ failed      stopRequested/streamEnded ─▶ stopped
/// ```
///
/// A reconnection resumes from the last position the consumer acknowledged — the end of the
/// last batch the target committed — never from the last event read, so nothing read but not
/// applied is lost. Position-unavailable (1236) and access-denied errors are never retried:
/// they need a new snapshot or an operator. A server id clash is retried, waiting longer after
/// each one (`consecutiveClashes`).
public struct RetryState: Sendable {
    /// What the I/O shell must do next.
    public enum Action: Sendable, Hashable {
        /// Open a new stream from this position.
        case connect(from: BinlogStart)
        /// Sleep this long, then report `delayElapsed()`. `attempt` counts the consecutive
        /// failures so far (1 for the first), for logs.
        case wait(Duration, attempt: Int)
        /// Stop and report the error: retrying cannot help (or attempts are used up).
        case surface(ReplicationError)
        /// Close the stream (if one is open) and stop.
        case close
        /// Nothing to do.
        case none
    }

    enum State: Sendable, Hashable {
        case idle
        case connecting
        case streaming
        case waiting
        case failed(ReplicationError)
        case stopped
    }

    public let policy: ReconnectPolicy
    private(set) var state: State = .idle
    /// Where the next connection starts: the start given at first, then every acknowledged
    /// position.
    public private(set) var resumePosition: BinlogStart
    /// Failures since the last connection that delivered an event.
    public private(set) var consecutiveFailures = 0
    /// Server id clashes (`.serverIDInUse`) since the last failure of another kind. Events do
    /// not reset it: a clashing stream works (it delivers events) until the other replica
    /// reconnects and pushes it off, so forgiving on events would keep the two trading the
    /// stream at the initial delay for ever. Growing the wait leaves the other one the stream
    /// for longer and longer, and the logs a slower, steady warning.
    public private(set) var consecutiveClashes = 0

    public init(policy: ReconnectPolicy = ReconnectPolicy(), start: BinlogStart) {
        self.policy = policy
        resumePosition = start
    }

    /// The reader starts.
    public mutating func start() -> Action {
        switch state {
        case .idle:
            state = .connecting
            return .connect(from: resumePosition)
        case .connecting, .streaming, .waiting, .failed, .stopped:
            return .none
        }
    }

    /// The stream is open.
    public mutating func connected() -> Action {
        switch state {
        case .connecting:
            state = .streaming
            return .none
        case .idle, .streaming, .waiting, .failed, .stopped:
            return .none
        }
    }

    /// An event arrived (a heartbeat counts): the connection works, so the backoff starts
    /// over at the next failure.
    public mutating func eventReceived() -> Action {
        switch state {
        case .streaming:
            consecutiveFailures = 0
            return .none
        case .idle, .connecting, .waiting, .failed, .stopped:
            return .none
        }
    }

    /// The consumer durably applied everything up to `position` (the end of a transaction):
    /// a reconnection starts there.
    public mutating func acknowledged(_ position: BinlogStart) -> Action {
        switch state {
        case .idle, .connecting, .streaming, .waiting:
            resumePosition = position
            return .none
        case .failed, .stopped:
            return .none
        }
    }

    /// Opening or reading the stream failed.
    ///
    /// - Parameter unitRandom: a random number in 0 ..< 1 for the jitter
    ///   (`Double.random(in: 0..<1)` in production, fixed in tests).
    public mutating func failed(_ error: ReplicationError, unitRandom: Double) -> Action {
        switch state {
        case .connecting, .streaming:
            guard error.isRetryable else {
                state = .failed(error)
                return .surface(error)
            }
            consecutiveFailures += 1
            consecutiveClashes = error.kind == .serverIDInUse ? consecutiveClashes + 1 : 0
            if let maximum = policy.maximumAttempts, consecutiveFailures > maximum {
                state = .failed(error)
                return .surface(error)
            }
            state = .waiting
            return .wait(
                policy.delay(beforeAttempt: max(consecutiveFailures, consecutiveClashes), unitRandom: unitRandom),
                attempt: consecutiveFailures
            )
        case .idle, .waiting, .failed, .stopped:
            return .none
        }
    }

    /// The wait the last `.wait` asked for is over.
    public mutating func delayElapsed() -> Action {
        switch state {
        case .waiting:
            state = .connecting
            return .connect(from: resumePosition)
        case .idle, .connecting, .streaming, .failed, .stopped:
            return .none
        }
    }

    /// A non-blocking stream reached the end of the binlog (`tail --until now`).
    public mutating func streamEnded() -> Action {
        switch state {
        case .streaming, .connecting:
            state = .stopped
            return .close
        case .idle, .waiting, .failed, .stopped:
            return .none
        }
    }

    /// Someone asked the reader to stop (SIGTERM, the pipeline ends).
    public mutating func stopRequested() -> Action {
        switch state {
        case .connecting, .streaming, .waiting:
            state = .stopped
            return .close
        case .idle:
            state = .stopped
            return .none
        case .failed, .stopped:
            return .none
        }
    }
}
