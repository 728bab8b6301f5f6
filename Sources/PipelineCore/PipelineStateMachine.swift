import Connectors
import Directory

/// The pipeline's lifecycle as a value: events in (named after what happened), one action out
/// (what the shell must do next). No I/O, no clock, no randomness of its own: the shell feeds
/// the jitter's random number, so every path is tested without servers.
///
/// The invariant it keeps: a batch's position is committed only after the target applied it
/// (`applied()` is the only event that leads to `.commit`), and a part of a source transaction
/// never is. After a failure the shell replays from the committed position; idempotent apply
/// makes the replay safe (at-least-once delivery, exactly-once effect).
public struct PipelineStateMachine: Sendable {
    /// What the shell must do.
    public enum Action: Sendable, Hashable {
        /// Reconcile the target with a consistent snapshot of the source, commit the snapshot's
        /// position, then report `loaded(at:)` (or `loadRefused`, `loadFailed`).
        case load(LoadReason)
        /// Open the source at `from`, then report `streamOpened()` (or `sourceFailed`).
        case stream(from: SourcePosition)
        /// Read the next batch (with group commit), then report `batchReceived`, or another
        /// source event.
        case read
        /// Apply the batch in hand, then report `applied()` or `applyFailed`.
        case apply
        /// Commit the batch in hand's position and acknowledge it to the source (when it ends a
        /// source transaction), then report `committed()`.
        case commit
        /// Wait this long, then report `waited()`.
        case wait(Duration)
        /// Wait until someone approves (`scimsync approve`), then report `approved()`.
        case waitForApproval(String)
        /// Wait, then check the source's schema again: report `schemaFixed()` when it fits,
        /// `mappingBroken` again when not.
        case waitForSchemaFix(String)
        /// Stop: log the reason, report failure.
        case fail(String)
        /// Stop cleanly.
        case stop
    }

    public private(set) var state: PipelineState = .idle
    private let backoff: Backoff
    /// The last position committed (or loaded): where streaming starts again after a failure.
    public private(set) var committed: SourcePosition?
    /// What a finished wait resumes.
    private var afterWait: Action?
    /// What an approval resumes.
    private var afterApproval: Action?
    /// The batch in hand may pass the removal limit once (approved).
    public private(set) var removalsApproved = false
    /// The approval scope of the batch that waits for approval, then of the approved one: later
    /// batches of the same scope pass the limit too, until a batch of another scope comes.
    private var heldScope: String?
    private(set) var approvedScope: String?

    public init(backoff: Backoff) {
        self.backoff = backoff
    }

    /// The pipeline starts, with the offset store's position if it has one.
    public mutating func started(committed position: SourcePosition?) -> Action {
        committed = position
        guard let position else {
            state = .loading(.firstLoad)
            return .load(.firstLoad)
        }
        state = .streaming
        return .stream(from: position)
    }

    /// The pipeline starts with the offset store's position, left paused for its mapping: it
    /// pauses again until the source's tables fit (``schemaFixed()``, then a load), since what
    /// was written while they did not may be missing from the source's log from there.
    public mutating func startedPausedForMapping(committed position: SourcePosition, _ reason: String) -> Action {
        committed = position
        state = .paused(.mapping(reason))
        return .waitForSchemaFix(reason)
    }

    /// The pipeline starts with a stored position that belongs to another configuration (a
    /// mapping, a target or a source changed): it reconciles from a consistent snapshot first,
    /// then streams on from the snapshot's position.
    public mutating func startedToResync(committed position: SourcePosition, _ reason: String) -> Action {
        committed = position
        state = .loading(.resync(reason))
        return .load(.resync(reason))
    }

    /// A load committed the snapshot's position.
    public mutating func loaded(at position: SourcePosition) -> Action {
        committed = position
        removalsApproved = false
        approvedScope = nil
        state = .streaming
        return .stream(from: position)
    }

    /// A load's pass would remove more than allowed; nothing was applied.
    public mutating func loadRefused(_ reason: String) -> Action {
        let load: LoadReason
        if case .loading(let current) = state { load = current } else { load = .firstLoad }
        state = .paused(.removals(reason))
        afterApproval = .load(load)
        return .waitForApproval(reason)
    }

    /// A load failed (the source or the target is unreachable): try again after a wait.
    public mutating func loadFailed(_ error: String, unitRandom: Double) -> Action {
        let load: LoadReason
        if case .loading(let current) = state { load = current } else { load = .firstLoad }
        return retry(.load(error), resume: .load(load), unitRandom: unitRandom)
    }

    /// The source is open and reading.
    public mutating func streamOpened() -> Action {
        if case .retrying(.source, _) = state { state = .streaming }
        return .read
    }

    /// A batch arrived. `removalRefusal` is the removal guard's verdict on it (nil when within
    /// the limit).
    ///
    /// `scope` is the batch's ``SourceBatch/approvalScope``: a batch of the scope a person
    /// approved passes without another approval.
    public mutating func batchReceived(removalRefusal: String?, scope: String? = nil) -> Action {
        if scope == nil || scope != approvedScope { approvedScope = nil }
        if let removalRefusal, !removalsApproved, !approvalCovers(scope) {
            state = .paused(.removals(removalRefusal))
            afterApproval = .apply
            heldScope = scope
            return .waitForApproval(removalRefusal)
        }
        return .apply
    }

    /// Whether an approval given earlier covers a batch of `scope`.
    public func approvalCovers(_ scope: String?) -> Bool {
        scope != nil && scope == approvedScope
    }

    /// The target applied the batch in hand (what it parked or quarantined included).
    public mutating func applied() -> Action {
        removalsApproved = false
        state = .streaming
        return .commit
    }

    /// The target failed the batch in hand; nothing of it counts as applied.
    public mutating func applyFailed(_ error: String, unitRandom: Double) -> Action {
        retry(.target(error), resume: .apply, unitRandom: unitRandom)
    }

    /// The batch in hand's position was committed (or it was a part, which is not).
    public mutating func committed(_ position: SourcePosition?) -> Action {
        if let position { committed = position }
        return .read
    }

    /// The source failed.
    public mutating func sourceFailed(_ failure: SourceFailure, unitRandom: Double) -> Action {
        switch failure {
        case .unavailable(let reason):
            guard let position = committed else {
                return retry(.source(reason), resume: .load(.firstLoad), unitRandom: unitRandom)
            }
            return retry(.source(reason), resume: .stream(from: position), unitRandom: unitRandom)
        case .positionLost(let reason):
            state = .loading(.positionLost(reason))
            return .load(.positionLost(reason))
        }
    }

    /// The source saw changes its log does not carry: reconcile now.
    public mutating func resyncNeeded(_ reason: String) -> Action {
        state = .loading(.resync(reason))
        return .load(.resync(reason))
    }

    /// The source is due to be read in full on its schedule.
    public mutating func fullReadDue(_ reason: String) -> Action {
        state = .loading(.scheduled(reason))
        return .load(.scheduled(reason))
    }

    /// The source's schema no longer fits the mapping: nothing more is applied.
    public mutating func mappingBroken(_ reason: String) -> Action {
        state = .paused(.mapping(reason))
        return .waitForSchemaFix(reason)
    }

    /// The schema fits again. Rows written while it did not fit carry the old shape in the
    /// source's log, so they are not replayed: the target is reconciled with a new snapshot,
    /// and streaming resumes from the snapshot's position.
    public mutating func schemaFixed() -> Action {
        let reason = LoadReason.resync("the source's tables fit the layout again")
        state = .loading(reason)
        return .load(reason)
    }

    /// A wait asked for by `.wait` is over.
    public mutating func waited() -> Action {
        let next = afterWait ?? .read
        afterWait = nil
        return next
    }

    /// Someone approved the held removals.
    public mutating func approved() -> Action {
        let next = afterApproval ?? .read
        afterApproval = nil
        switch next {
        case .load(let reason):
            state = .loading(reason)
        case .apply:
            removalsApproved = true
            approvedScope = heldScope
            heldScope = nil
            state = .streaming
        default:
            state = .streaming
        }
        return next
    }

    /// A bounded source ended.
    public mutating func sourceEnded() -> Action {
        state = .stopped
        return .stop
    }

    /// SIGTERM or cancellation: the shell stops after the batch in flight was committed.
    public mutating func stopRequested() -> Action {
        state = .stopped
        return .stop
    }

    /// An error retrying cannot fix.
    public mutating func failed(_ error: String) -> Action {
        state = .failed(error)
        return .fail(error)
    }

    /// Counts the attempt (a failure while already retrying is the next attempt), and stops
    /// for good once the backoff allows no more.
    private mutating func retry(_ cause: RetryCause, resume: Action, unitRandom: Double) -> Action {
        let attempt: Int
        if case .retrying(_, let previous) = state { attempt = previous + 1 } else { attempt = 1 }
        guard backoff.allows(attempt: attempt) else {
            return failed("\(cause), \(attempt - 1) attempts made")
        }
        state = .retrying(cause, attempt: attempt)
        afterWait = resume
        return .wait(backoff.delay(beforeAttempt: attempt, unitRandom: unitRandom))
    }
}
