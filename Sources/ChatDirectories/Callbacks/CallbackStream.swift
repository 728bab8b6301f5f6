import Connectors
import Directory
import Logging
import Synchronization

/// The stream of a chat platform whose event callbacks are received: the full read every
/// `interval` as ``FullReadSchedule`` asks for it (at once when this process has not read the
/// platform yet), and between reads the events the callback receiver delivers to the
/// ``CallbackInbox``, each applied as a batch of what its subjects are now.
///
/// A task of the stream's own takes the events, fetches each subject (``PlatformObjects``) and
/// buffers the batch, so that `next()` never waits for a platform while a read is due:
///
/// - a user upserted: `create` (which overwrites) and the memberships that make the user's
///   groups in the target the fetched departments (see ``CallbackMemberships``);
/// - a department upserted: `create` and `moveParent`;
/// - a user removed, or gone when fetched (a removal is fetched too: one that comes late, after
///   the user came back, must not remove a user the platform has): its memberships removed, then `deactivate` or
///   `delete` as `onDelete` says, as the full read's reconciliation treats a user the read no
///   longer finds;
/// - a department gone when fetched: `delete`.
///
/// Every batch carries the position the stream was opened at, the last full read's: a
/// callback never moves it, so an event missed or failed is repaired by the next full read.
/// A fetch the platform fails transiently is retried with backoff (`fetchRetry`); when the
/// attempts are used up, or the platform refuses the app, or a subject is outside the app's
/// visible range, the queued events are dropped and a full read asked for.
public final class CallbackStream: ChangeSource {
    private let position: SourcePosition
    private let interval: Duration
    private var due: ContinuousClock.Instant
    private let output = CallbackOutput()
    private let worker: Task<Void, Never>

    /// - Parameters:
    ///   - position: the last full read's position, carried by every batch.
    ///   - interval: the time between full reads.
    ///   - readNow: ask for a full read at once (this process has not read the platform).
    public init(
        position: SourcePosition, interval: Duration, readNow: Bool, objects: any PlatformObjects, wiring: CallbackWiring,
        logger: Logger
    ) {
        self.position = position
        self.interval = interval
        due = readNow ? .now : .now + interval
        let applier = CallbackApplier(
            position: position, objects: objects, wiring: wiring, output: output, logger: logger)
        worker = Task { await applier.run() }
    }

    deinit { worker.cancel() }

    /// The most fetched batches waiting for `next()`: beyond them the stream takes no more
    /// events, which then wait in the inbox (a pipeline paused or retrying reads none).
    public static var readyLimit: Int { CallbackOutput.limit }

    /// How many fetched batches wait for `next()` now.
    public var readyBatches: Int { output.readyCount }

    public func next() async throws -> SourceEvent? {
        while true {
            guard !output.isStopped else { return nil }
            if let ready = output.popReady() { return ready }
            if let reason = output.takeFullRead() {
                due = .now + interval
                return .resyncNeeded(reason: reason, position: position)
            }
            if due <= .now {
                due = .now + interval
                return .fullReadDue(reason: "the full read is due", position: position)
            }
            await output.ready.wait(until: due)
            // As FullReadSchedule's sleep does: a cancelled reader is not a source that ended.
            try Task.checkCancellation()
        }
    }

    /// A batch already fetched, if any.
    public func nextBuffered() async throws -> SourceEvent? {
        output.isStopped ? nil : output.popReady()
    }

    public func acknowledge(_ position: SourcePosition) async {}

    public func stop() async {
        output.stop()
        worker.cancel()
    }
}

/// What the stream's task hands `next()`: batches ready, a full read wanted, the stop.
final class CallbackOutput: Sendable {
    private struct State {
        var batches: [SourceEvent] = []
        var head = 0
        var fullRead: String?
        var stopped = false
    }

    private let state = Mutex(State())
    let ready = Wakeup()
    /// Signalled when a batch is taken: the applier waits for it while ``limit`` are ready.
    private let taken = Wakeup()
    /// The most batches ready at once. Beyond it the applier takes no more events, so that
    /// events wait in the ``CallbackInbox``, whose bound turns a backlog into a full read,
    /// rather than here without one (a paused or retrying pipeline reads none).
    static let limit = 1_000

    var isStopped: Bool { state.withLock { $0.stopped } }

    var readyCount: Int { state.withLock { $0.batches.count - $0.head } }

    /// Returns when fewer than ``limit`` batches are ready, or the stream stopped, or the
    /// caller is cancelled.
    func roomForMore() async {
        while !Task.isCancelled {
            let full = state.withLock { !$0.stopped && $0.batches.count - $0.head >= Self.limit }
            guard full else { return }
            await taken.wait()
        }
    }

    func push(_ event: SourceEvent) {
        state.withLock { $0.batches.append(event) }
        ready.signal()
    }

    func popReady() -> SourceEvent? {
        state.withLock { state in
            guard state.head < state.batches.count else { return nil }
            let event = state.batches[state.head]
            state.head += 1
            if state.head == state.batches.count {
                state.batches = []
                state.head = 0
            }
            taken.signal()
            return event
        }
    }

    func requestFullRead(_ reason: String) {
        state.withLock { state in
            if state.fullRead == nil { state.fullRead = reason }
        }
        ready.signal()
    }

    func takeFullRead() -> String? {
        state.withLock { state in
            defer { state.fullRead = nil }
            return state.fullRead
        }
    }

    func stop() {
        state.withLock { $0.stopped = true }
        ready.signal()
        taken.signal()
    }
}
