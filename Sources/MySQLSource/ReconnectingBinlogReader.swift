import Connectors
import Logging
import SQLClients

/// A binlog reader that survives its server going away: the I/O shell around `RetryState`.
/// It runs a `BinlogEventPump` per connection, and when the connection fails with a retryable
/// error it waits as the policy says and opens a new one from the last acknowledged position.
///
/// After a reconnection the consumer first receives `.restarted(from:)`: events of a
/// transaction it had not finished will come again from the start, so it must drop its
/// partial state (the transaction assembler starts over). Errors that retrying cannot fix
/// (position unavailable, access denied, attempts used up) are thrown from `next()`.
public actor ReconnectingBinlogReader {
    /// What the consumer receives.
    public enum Output: Sendable, Hashable {
        /// The next event of the current connection.
        case event(RawBinlogEvent)
        /// The connection failed with `error` and a new one was opened at `from`: forget any
        /// unfinished transaction; the events that follow start there.
        case restarted(from: BinlogStart, after: ReplicationError)
    }

    private let open: @Sendable (BinlogStart) throws -> any BinlogEventSource
    private let capacity: Int
    private let logger: Logger
    private var retry: RetryState
    private var pump: BinlogEventPump?
    /// The notice to give before the first event of a new connection.
    private var pendingRestart: Output?
    /// That first event, returned by the call after the notice.
    private var heldEvent: RawBinlogEvent?
    /// Told when the connection is lost and reopening begins (with why) and when a new one
    /// delivers its first event (nil): while it is down, the pipeline is not following.
    private let connectionChanged: (@Sendable (String?) -> Void)?
    /// Whether the connection was reported lost and not yet back.
    private var reportedDown = false

    /// - Parameters:
    ///   - open: opens a source at a position, on the pump's reader thread (e.g. a
    ///     `MariaDBReplicationStream`); called again for every reconnection.
    public init(
        start: BinlogStart, policy: ReconnectPolicy = ReconnectPolicy(), capacity: Int = 256,
        logger: Logger = Logger(label: "scimsync.binlog"), connectionChanged: (@Sendable (String?) -> Void)? = nil,
        open: @escaping @Sendable (BinlogStart) throws -> any BinlogEventSource
    ) {
        retry = RetryState(policy: policy, start: start)
        self.connectionChanged = connectionChanged
        self.capacity = capacity
        self.logger = logger
        self.open = open
    }

    /// The consumer applied everything up to `position` (a transaction's end): reconnections
    /// start there.
    public func acknowledge(_ position: BinlogStart) {
        _ = retry.acknowledged(position)
    }

    /// Where a reconnection would start now.
    public var resumePosition: BinlogStart {
        retry.resumePosition
    }

    /// Events read from the server and not yet taken: more work is already here.
    public var bufferedEventCount: Int {
        (heldEvent == nil ? 0 : 1) + (pump?.bufferedCount ?? 0)
    }

    /// The next event or restart notice; nil when a non-blocking stream ended or the reader
    /// was stopped.
    ///
    /// `.restarted` comes once per successful reconnection, just before the first event of the
    /// new connection (attempts that fail again do not produce one).
    /// - Throws: the `ReplicationError` that retrying cannot fix; `CancellationError` when the
    ///   task is cancelled (while waiting for an event or between attempts), after which the
    ///   reader is finished.
    public func next() async throws -> Output? {
        if let held = heldEvent {
            heldEvent = nil
            return .event(held)
        }
        if pump == nil {
            guard case .connect(let position) = retry.start() else { return nil }
            connect(from: position)
        }
        while let current = pump {
            do {
                guard let event = try await current.next() else {
                    // Ended (non-blocking stream at the end of the binlog) or stopped.
                    _ = retry.streamEnded()
                    await current.stop()
                    pump = nil
                    pendingRestart = nil
                    return nil
                }
                _ = retry.connected()
                _ = retry.eventReceived()
                if reportedDown {
                    reportedDown = false
                    connectionChanged?(nil)
                }
                if let restart = pendingRestart {
                    pendingRestart = nil
                    heldEvent = event
                    return restart
                }
                return .event(event)
            } catch let error as ReplicationError {
                await current.stop()
                pump = nil
                try await handle(retry.failed(error, unitRandom: Double.random(in: 0..<1)), after: error)
            }
        }
        return nil
    }

    /// ``next()``, and after an event the events of the same connection already read (at most
    /// `limit` in all), without waiting for more: a run of events for one call onto this actor
    /// instead of one call each. A restart notice comes alone. `acknowledging`: a position to
    /// ``acknowledge(_:)`` first, in the same call.
    public func nextBatch(limit: Int, acknowledging position: BinlogStart? = nil) async throws -> [Output]? {
        if let position { acknowledge(position) }
        guard let first = try await next() else { return nil }
        guard case .event = first, heldEvent == nil, let pump, limit > 1 else { return [first] }
        let more = pump.takeBuffered(limit: limit - 1)
        var batch: [Output] = []
        batch.reserveCapacity(1 + more.count)
        batch.append(first)
        for event in more { batch.append(.event(event)) }
        return batch
    }

    private func handle(_ action: RetryState.Action, after error: ReplicationError) async throws {
        switch action {
        case .wait(let delay, let attempt):
            logger.warning(
                "binlog connection failed; reconnecting",
                metadata: ["error": "\(error)", "attempt": "\(attempt)", "delay": "\(delay)"]
            )
            reportedDown = true
            connectionChanged?("the binlog connection failed (\(error)); reconnecting")
            try await Task.sleep(for: delay)
            guard case .connect(let position) = retry.delayElapsed() else { return }
            connect(from: position)
            pendingRestart = .restarted(from: position, after: error)
        case .surface(let error):
            // Thrown, not logged: whoever catches it reports it once.
            throw error
        case .connect(let position):
            connect(from: position)
        case .close, .none:
            return
        }
    }

    private func connect(from position: BinlogStart) {
        let open = open
        pump = BinlogEventPump(capacity: capacity, logger: logger) { try open(position) }
    }

    /// Stops reading and closes the connection; later `next()` calls return nil.
    public func stop() async {
        _ = retry.stopRequested()
        let current = pump
        pump = nil
        pendingRestart = nil
        heldEvent = nil
        await current?.stop()
    }
}
