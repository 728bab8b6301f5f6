import Connectors
import Dispatch
import Directory

/// What a load did.
public enum LoadOutcome: Sendable, Hashable {
    /// The target now equals the snapshot; its position is committed: stream from there.
    case loaded(SourcePosition)
    /// The pass would remove more than allowed; nothing was applied.
    case refused(String)
}

/// The I/O shell around ``PipelineStateMachine``: it performs each action the machine returns
/// and feeds the result back as the next event. It owns the source while streaming, the batch
/// in hand, the removal guard and the parked operations' retry; every wait goes through the
/// injected clock, so tests run the whole lifecycle with a test clock and in-memory
/// connectors.
///
/// Used by one task; cancelling it stops the pipeline after the batch in flight (an apply is
/// finished and committed, a wait or a read is abandoned).
public final class PipelineRunner<C: Clock> where C.Duration == Duration {
    /// What the runner needs from the composition: how to open the source and how to load.
    public struct Connectors: Sendable {
        /// Opens the source to stream from `position`.
        public var openSource: @Sendable (SourcePosition) async throws -> any ChangeSource
        /// Reconciles the target with a consistent snapshot and commits the snapshot's
        /// position (the first load, a lost position, a resync).
        public var load: @Sendable (LoadReason) async throws -> LoadOutcome
        /// Why the source's schema does not fit the mapping now, or nil when it does.
        public var mappingProblem: @Sendable () async throws -> String?

        public init(
            openSource: @escaping @Sendable (SourcePosition) async throws -> any ChangeSource,
            load: @escaping @Sendable (LoadReason) async throws -> LoadOutcome,
            mappingProblem: @escaping @Sendable () async throws -> String? = { nil }
        ) {
            self.openSource = openSource
            self.load = load
            self.mappingProblem = mappingProblem
        }
    }

    /// Timing of the runner's own waits.
    public struct Timing: Sendable {
        public var groupCommit = GroupCommit()
        /// How often a hold is checked for approval.
        public var approvalPoll: Duration = .seconds(1)
        /// How often a broken mapping is checked again.
        public var mappingPoll: Duration = .seconds(5)
        /// The window the removal guard adds removals up over.
        public var removalWindow: Duration = .seconds(300)
        /// A batch's write that takes longer is reported (``PipelineObserver/targetWaiting(_:)``):
        /// a target that stops answering, or a provider whose retries last minutes, would
        /// otherwise leave the pipeline reading as "streaming".
        public var slowApply: Duration = .seconds(10)

        public init() {}
    }

    private let connectors: Connectors
    private let target: any Target
    private let log: any OffsetLog
    private let clock: C
    private let random: @Sendable () -> Double
    private let observer: any PipelineObserver
    private let timing: Timing
    /// Why a stored position must not be streamed from before a reconciliation (the
    /// configuration it belongs to changed); nil when it may.
    private let resyncAtStart: String?
    /// Tells the observer when a batch's write waits longer than `timing.slowApply`.
    private let applyWatch: ApplyWatch
    /// Whether the offset store keeps a mapping pause of this pipeline: the load that ends
    /// it forgets it (other loads, a scheduled full read every interval, write nothing).
    private var mappingPauseKept = false
    private let removalLimit: RemovalGuard.Limit
    /// Whether operations on target rows scimsync did not create are left out and
    /// quarantined (``ForeignRows``): a pipeline that does not adopt such rows.
    private let leavesForeignRows: Bool
    /// Users and groups seen in the ledger lately: changes to them need no ledger read.
    private var knownOwned = KnownOwned()
    private var machine: PipelineStateMachine
    private var removalGuard: RemovalGuard?
    private var source: (any ChangeSource)?
    private var batch: SourceBatch?
    /// What became of the batch in hand's operations, committed with it.
    private var journal: [JournalRecord] = []
    /// Whether the applied batch's creates were all in the ledger before its COMMIT (owned
    /// already, or recorded beside its statements): its position's write need not add them.
    private var creationsRecorded = false
    /// Whether journal records keep the values written (`journal.values`).
    private let journalValues: Bool
    /// An event read while gathering a group that could not join it, or read while the last
    /// batch's commit ran.
    private var pendingEvent: SourceEvent?
    /// The offset store's commit of the last batch, running while the next one is read and
    /// applied, and that batch (what is said of it once it is committed).
    private var committing: (write: Task<Void, any Error>, batch: SourceBatch)?
    /// Where those commits run, one after the other: the offset store's writes block their
    /// thread, which must not be one of the few the tasks share.
    private let commits = DispatchQueue(label: "scimsync.pipeline.commit")
    private let started: C.Instant
    /// The lag, for the metrics endpoint.
    public let lag = LagProbe()
    /// The wall clock, seconds since 1970 (for the lag).
    private let wallClock: @Sendable () -> Double

    /// The pipeline's state now.
    public var state: PipelineState { machine.state }

    public init(
        connectors: Connectors, target: any Target, log: any OffsetLog, removalLimit: RemovalGuard.Limit,
        backoff: Backoff, clock: C, timing: Timing = Timing(), observer: any PipelineObserver = SilentObserver(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        wallClock: @escaping @Sendable () -> Double, journalValues: Bool = false, resyncAtStart: String? = nil,
        leavesForeignRows: Bool = false
    ) {
        self.journalValues = journalValues
        self.leavesForeignRows = leavesForeignRows
        self.resyncAtStart = resyncAtStart
        applyWatch = ApplyWatch(after: timing.slowApply, told: { [observer] in observer.targetWaiting($0) })
        self.connectors = connectors
        self.target = target
        self.log = log
        self.removalLimit = removalLimit
        self.clock = clock
        self.timing = timing
        self.observer = observer
        self.random = random
        self.wallClock = wallClock
        machine = PipelineStateMachine(backoff: backoff)
        started = clock.now
    }

    /// Runs until the source ends or the task is cancelled (returns), or until an error
    /// retrying cannot fix (throws ``PipelineFailure``).
    public func run() async throws {
        let stored = try log.position()
        var action: PipelineStateMachine.Action
        if let stored, let reason = try log.pausedForMapping() {
            mappingPauseKept = true
            action = transition { $0.startedPausedForMapping(committed: stored, reason) }
        } else if let stored, let reason = resyncAtStart {
            action = transition { $0.startedToResync(committed: stored, reason) }
        } else {
            action = transition { $0.started(committed: stored) }
        }
        defer { pendingEvent = nil }
        let watching = Task { [applyWatch] in await applyWatch.watch() }
        defer { watching.cancel() }
        while true {
            switch action {
            case .stop:
                try await stop()
                return
            case .fail(let reason):
                try await stop()
                throw PipelineFailure(reason: reason)
            default:
                do {
                    action = try await perform(action)
                } catch is CancellationError {
                    _ = transition { $0.stopRequested() }
                    try await stop()
                    return
                } catch {
                    // An error no retry can fix (the offset store cannot be written, a source
                    // error the connector did not classify as recoverable).
                    _ = transition { $0.failed("\(error)") }
                    try? await finishCommit()
                    await closeSource()
                    throw error
                }
            }
        }
    }

    /// Ends the commit in flight, then the source. An error of the commit (the offset store
    /// cannot be written) is the pipeline's failure.
    private func stop() async throws {
        do {
            try await finishCommit()
        } catch {
            _ = transition { $0.failed("\(error)") }
            await closeSource()
            throw error
        }
        await closeSource()
    }

    // MARK: - Actions

    private func perform(_ action: PipelineStateMachine.Action) async throws -> PipelineStateMachine.Action {
        switch action {
        case .read, .apply, .commit: break
        default:
            // Only the next batch's reading and applying run beside the last one's commit:
            // a load, a wait or a new stream starts from what is committed.
            try await finishCommit()
        }
        switch action {
        case .load(let reason): return try await load(reason)
        case .stream(let position): return try await stream(from: position)
        case .read: return try await read()
        case .apply: return try await apply()
        case .commit: return try await commit()
        case .wait(let delay):
            try await clock.sleep(for: delay)
            return transition { $0.waited() }
        case .waitForApproval:
            while try !log.holdApproved() {
                try await clock.sleep(for: timing.approvalPoll)
            }
            return transition { $0.approved() }
        case .waitForSchemaFix(let reason):
            await closeSource()
            try log.setPausedForMapping(reason)
            mappingPauseKept = true
            while true {
                try await clock.sleep(for: timing.mappingPoll)
                do {
                    if try await connectors.mappingProblem() == nil { break }
                } catch let error where !(error is CancellationError) {
                    // The source cannot be asked now (restarting?): still paused; ask again.
                    continue
                }
            }
            return transition { $0.schemaFixed() }
        case .stop, .fail:
            return action
        }
    }

    private func load(_ reason: LoadReason) async throws -> PipelineStateMachine.Action {
        await closeSource()
        batch = nil
        pendingEvent = nil
        // A load, a resync above all, may delete rows and take them out of the ledger.
        knownOwned.forget()
        let outcome: LoadOutcome
        do {
            outcome = try await connectors.load(reason)
        } catch let error where !(error is CancellationError) {
            // A load that failed because the source's tables no longer fit the layout (a
            // column dropped with its table made again) waits for them as the stream does,
            // with the table and the column named, instead of retrying a load that cannot work.
            if let problem = try? await connectors.mappingProblem() {
                return transition { $0.mappingBroken(problem) }
            }
            return failure(.load("\(error)")) { $0.loadFailed("\(error)", unitRandom: random()) }
        }
        switch outcome {
        case .loaded(let position):
            removalGuard = nil
            try log.clearHold()
            if mappingPauseKept {
                try log.setPausedForMapping(nil)
                mappingPauseKept = false
            }
            return transition { $0.loaded(at: position) }
        case .refused(let reason):
            try log.hold(reason)
            return transition { $0.loadRefused(reason) }
        }
    }

    private func stream(from position: SourcePosition) async throws -> PipelineStateMachine.Action {
        await closeSource()
        do {
            source = try await connectors.openSource(position)
        } catch let failure as SourceFailure {
            return sourceFailed(failure)
        }
        return transition { $0.streamOpened() }
    }

    private func read() async throws -> PipelineStateMachine.Action {
        guard let source else { return transition { $0.sourceEnded() } }
        let event: SourceEvent?
        do {
            if committing != nil, pendingEvent == nil {
                // The last batch's commit runs while the next batch is made from what the source
                // already received; before waiting for the source, it ends (and the source
                // hears what is committed).
                pendingEvent = try await source.nextBuffered()
                if pendingEvent == nil { try await finishCommit() }
            }
            event = try await nextGroup(from: source)
        } catch let failure as SourceFailure {
            return sourceFailed(failure)
        }
        switch event {
        case nil:
            return transition { $0.sourceEnded() }
        case .batch(let received):
            batch = received
            lag.received(commitTime: received.commitTime)
            // A batch of a scope a person approved passes without a new hold.
            let refusal =
                machine.approvalCovers(received.approvalScope)
                ? nil : try await removalRefusal(received.ops, creationsCount: !received.createsMayExist)
            if let refusal { try log.hold(refusal) }
            return transition { $0.batchReceived(removalRefusal: refusal, scope: received.approvalScope) }
        case .resyncNeeded(let reason, _):
            return transition { $0.resyncNeeded(reason) }
        case .fullReadDue(let reason, _):
            return transition { $0.fullReadDue(reason) }
        case .mappingBroken(let reason, _):
            return transition { $0.mappingBroken(reason) }
        }
    }

    /// The next event; batches already received join a batch that ends its transaction (group
    /// commit), within the size and time budget, never waiting for the source.
    private func nextGroup(from source: any ChangeSource) async throws -> SourceEvent? {
        let first: SourceEvent?
        if let pending = pendingEvent {
            pendingEvent = nil
            first = pending
        } else {
            first = try await source.next()
        }
        guard case .batch(let head)? = first, head.endsTransaction else { return first }
        var group = [head]
        var size = head.ops.count
        let begun = clock.now
        while size < timing.groupCommit.maxChanges, begun.duration(to: clock.now) < timing.groupCommit.maxDelay,
            let more = try await source.nextBuffered()
        {
            // A group is of one approval scope: an approval of the head's covers it all, and
            // a batch outside the scope is checked on its own.
            guard case .batch(let next) = more, next.endsTransaction, next.approvalScope == head.approvalScope else {
                pendingEvent = more
                break
            }
            group.append(next)
            size += next.ops.count
        }
        guard group.count > 1, let last = group.last else { return first }
        // Every batch's refused rows go with the group: they are quarantined and reported as
        // they would be alone, not dropped with the batch they came in.
        return .batch(
            SourceBatch(
                ops: ResourceOp.ordered(ResourceOp.coalesced(group.flatMap(\.ops))), position: last.position,
                endsTransaction: true, commitTime: last.commitTime ?? head.commitTime,
                rowCount: group.reduce(0) { $0 + $1.rowCount }, unmapped: group.flatMap(\.unmapped),
                approvalScope: head.approvalScope, createsMayExist: group.contains { $0.createsMayExist }))
    }

    private func removalRefusal(_ ops: [ResourceOp], creationsCount: Bool) async throws -> String? {
        guard RemovalGuard.removals(in: ops) > 0 else { return nil }
        if removalGuard == nil {
            do {
                removalGuard = RemovalGuard(
                    limit: removalLimit, population: try await target.resourceCount(), window: timing.removalWindow)
            } catch let error where !(error is CancellationError) {
                // Counting failed with the target: the apply fails the same way and is retried;
                // the guard counts again before it.
                return nil
            }
        }
        return removalGuard?.refusal(ops, at: elapsed, creationsCount: creationsCount)
    }

    private func apply() async throws -> PipelineStateMachine.Action {
        guard let batch else { return transition { $0.committed(nil) } }
        let approved = machine.removalsApproved || machine.approvalCovers(batch.approvalScope)
        // A commit in flight that takes entries out of the ledger ends before the ledger is
        // read and written for this batch: a user deleted there and created again here must
        // join the ledger after it left (its creates, recorded before they were applied,
        // commute with this batch's). Its failure is the pipeline's, as in ``commit()``.
        if committing?.batch.ops.contains(where: { $0.deletedEntry != nil }) == true, needsLedger(batch.ops) {
            try await finishCommit()
        }
        do {
            if removalGuard == nil, RemovalGuard.removals(in: batch.ops) > 0, !approved {
                // The guard could not count the target when the batch arrived: check now.
                if let refusal = try await removalRefusal(batch.ops, creationsCount: !batch.createsMayExist), removalGuard != nil {
                    try log.hold(refusal)
                    return transition { $0.batchReceived(removalRefusal: refusal, scope: batch.approvalScope) }
                }
            }
            // The target's whole part is watched: a target that stops answering its check of
            // the rows scimsync did not create is said as one that stops taking the writes.
            let (ops, foreign, live, applied) = try await watched(operations: batch.ops.count) {
                try await applyLeavingForeignRows(batch.ops)
            }
            var outcome = applied
            if !ops.isEmpty { Failpoint.streamBatchApplied.passed() }
            outcome.quarantined += foreign
            try record(outcome, unmapped: batch.unmapped, for: ops)
            if !outcome.quarantined.isEmpty { await source?.refused(outcome.quarantined) }
            journal =
                log.keepsJournal
                ? JournalRecord.records(of: batch.ops, outcome: outcome, unmapped: batch.unmapped, keepValues: journalValues)
                : []
            try await retryParked(after: ops, live: live)
            // The batch commits what was applied: a create left out does not join the ledger.
            // Changed only now, so that a batch tried again after a failure is sorted again.
            self.batch?.ops = ops
        } catch let error where !(error is CancellationError) {
            return failure(.target("\(error)")) { $0.applyFailed("\(error)", unitRandom: random()) }
        }
        let done = self.batch?.ops ?? []
        if approved {
            removalGuard?.approvedAndApplied(done, at: elapsed, creationsCount: !batch.createsMayExist)
            try log.clearHold()
        } else {
            removalGuard?.applied(done, at: elapsed, creationsCount: !batch.createsMayExist)
        }
        return transition { $0.applied() }
    }

    /// Whether ``applyLeavingForeignRows(_:)`` reads or writes the ledger for `ops`: a create (whose
    /// id is looked up afresh, never taken from what is known) or a change to a user or group
    /// not known to be scimsync's.
    private func needsLedger(_ ops: [ResourceOp]) -> Bool {
        guard leavesForeignRows, target.mayHoldForeignRows else { return false }
        return ops.contains { $0.createdEntry != nil || !knownOwned.contains(ForeignRows.owner(of: $0)) }
    }

    /// Applies `ops` but those on rows the target holds and scimsync did not create
    /// (``ForeignRows``), which come back as quarantine records, with the parked operations
    /// still waiting once the batch made some obsolete.
    ///
    /// Users and groups not known to be scimsync's are looked up in the target, then those it
    /// holds in the ledger, in the same turn of the target as the batch's writes (each
    /// hand-over to its connection's thread is a wake-up that a loaded machine makes slow). A
    /// create whose id the ledger lacks joins it before the target commits it (the ledger's
    /// write runs beside the batch's statements): a batch replayed after a crash between the
    /// target's commit and the offset store's then finds its own rows owned, not foreign.
    private func applyLeavingForeignRows(_ ops: [ResourceOp]) async throws -> (
        ops: [ResourceOp], refused: [QuarantinedResource], live: [ParkedOperation], outcome: ApplyOutcome
    ) {
        var unknown: Set<LedgerEntry> = []
        creationsRecorded = false
        if leavesForeignRows, target.mayHoldForeignRows {
            for op in ops {
                let owner = ForeignRows.owner(of: op)
                if op.createdEntry != nil || !knownOwned.contains(owner) { unknown.insert(owner) }
            }
        }
        defer {
            for case let deleted? in ops.map(\.deletedEntry) { knownOwned.remove(deleted) }
        }
        let log = self.log
        guard !unknown.isEmpty else {
            let live = try Self.supersedeParked(by: ops, in: log)
            return (ops, [], live, ops.isEmpty ? .applied : try await target.apply(ops))
        }
        let (kept, decided, outcome) = try await target.apply(asking: unknown) { held in
            let sorted = try ForeignRows.sort(ops, held: held, in: log)
            let live = try Self.supersedeParked(by: sorted.kept, in: log)
            // The creates join the ledger while the target runs the batch's statements; its
            // COMMIT waits for them.
            let created = sorted.created
            return Vetted(
                ops: sorted.kept, verdict: (sorted: sorted, live: live),
                beforeCommit: created.isEmpty ? nil : PendingWrite { try log.recordCreated(created) })
        }
        knownOwned.insert(decided.sorted.owned)
        knownOwned.insert(decided.sorted.created)
        // Every kept create is one of the two: owned already, or recorded.
        creationsRecorded = true
        return (kept, decided.sorted.refused, decided.live, outcome)
    }

    /// `body`, the target's part of a batch of `operations`, watched (``ApplyWatch``).
    private func watched<T>(operations: Int, _ body: () async throws -> T) async throws -> T {
        applyWatch.started(operations: operations)
        do {
            let value = try await body()
            applyWatch.finished(answered: true)
            return value
        } catch {
            applyWatch.finished(answered: false)
            throw error
        }
    }

    /// Stores the batch's position once the target applied it. The write runs while the next
    /// batch is read and applied (the offset store's transaction, its journal above all, was a
    /// sixth of the time between two batches at high rates): the position still follows the
    /// target's commit, one commit at a time, and a crash before it only means the target sees
    /// the batch again, as a crash between apply and commit always did.
    private func commit() async throws -> PipelineStateMachine.Action {
        guard let batch else { return transition { $0.committed(nil) } }
        self.batch = nil
        let journal = self.journal
        self.journal = []
        let creationsRecorded = self.creationsRecorded
        self.creationsRecorded = false
        try await finishCommit()
        guard batch.endsTransaction else {
            try log.record(applied: batch.ops, journal: journal)
            return transition { $0.committed(nil) }
        }
        let (log, commits) = (self.log, self.commits)
        let position = batch.position
        let sourceTime = batch.commitTime
        let ops = batch.ops
        let write = Task {
            try await onQueue(commits) {
                try log.commit(
                    position, sourceTime: sourceTime, applied: ops, journal: journal, creationsRecorded: creationsRecorded)
            }
        }
        committing = (write, batch)
        // The lag is the target's: it has the batch now.
        lag.applied(commitTime: batch.commitTime, now: wallClock())
        return transition { $0.committed(batch.position) }
    }

    /// Waits for the commit in flight, if any, and says it is done: to the source (it may
    /// forget what is committed) and to the observer.
    private func finishCommit() async throws {
        guard let (write, batch) = committing else { return }
        committing = nil
        try await write.value
        await source?.acknowledge(batch.position)
        observer.batchCommitted(batch)
    }

    // MARK: - Parked and quarantined operations

    private func record(_ outcome: ApplyOutcome, unmapped: [QuarantinedResource], for ops: [ResourceOp]) throws {
        if !outcome.parked.isEmpty {
            try log.park(outcome.parked)
            observer.parkedChanged(parked: outcome.parked, unparked: 0, total: try log.parked().count)
        }
        let refused = unmapped + outcome.quarantined
        try log.quarantine(refused, applied: ops)
        if !refused.isEmpty { observer.quarantined(refused) }
    }

    /// Drops parked operations that `ops` make obsolete; returns those still waiting.
    private static func supersedeParked(by ops: [ResourceOp], in log: any OffsetLog) throws -> [ParkedOperation] {
        let parked = try log.parked()
        guard !parked.isEmpty, !ops.isEmpty else { return parked }
        let obsolete = parked.filter { waiting in ops.contains { $0.makesObsolete(waiting.op, parkedKey: waiting.key) } }
        guard !obsolete.isEmpty else { return parked }
        try log.unpark(obsolete)
        let gone = Set(obsolete.map(\.op))
        return parked.filter { !gone.contains($0.op) }
    }

    /// After a batch that created users or groups, tries again the parked operations that
    /// waited for one of them: they apply now (or wait for what else they name).
    private func retryParked(after ops: [ResourceOp], live parked: [ParkedOperation]) async throws {
        guard !parked.isEmpty else { return }
        let created = Set(ops.compactMap(\.createdEntry))
        let due = parked.filter { created.contains(LedgerEntry(kind: $0.waitingFor, id: $0.waitingID)) }
        guard !due.isEmpty else { return }
        let outcome = try await target.apply(ResourceOp.ordered(due.map(\.op)))
        // What still waits now waits for something else (a membership whose group arrived
        // waits for its user): parked again under the same key, with what it waits for now.
        if !outcome.parked.isEmpty { try log.park(outcome.parked) }
        let still = Set(outcome.parked.map(\.op))
        let done = due.filter { !still.contains($0.op) }
        guard !done.isEmpty else { return }
        try log.unpark(done)
        try log.record(
            applied: done.map(\.op),
            journal: log.keepsJournal ? done.map { $0.op.journalRecord(keepValues: journalValues) } : [])
        observer.parkedChanged(parked: [], unparked: done.count, total: parked.count - done.count)
    }

    // MARK: - Helpers

    private var elapsed: Duration { started.duration(to: clock.now) }

    private func sourceFailed(_ failure: SourceFailure) -> PipelineStateMachine.Action {
        let cause: RetryCause = .source(failure.description)
        switch failure {
        case .unavailable:
            return self.failure(cause) { $0.sourceFailed(failure, unitRandom: random()) }
        case .positionLost:
            return transition { $0.sourceFailed(failure, unitRandom: random()) }
        }
    }

    /// A transition after a failed attempt, reported to the observer with its delay.
    private func failure(
        _ cause: RetryCause, _ event: (inout PipelineStateMachine) -> PipelineStateMachine.Action
    ) -> PipelineStateMachine.Action {
        let action = transition(event)
        switch (action, machine.state) {
        case (.wait(let delay), .retrying(_, let attempt)):
            observer.attemptFailed(cause, attempt: attempt, delay: delay)
        default:
            observer.attemptFailed(cause, attempt: 0, delay: nil)
        }
        return action
    }

    /// Feeds one event to the machine and tells the observer when the state changed.
    private func transition(
        _ event: (inout PipelineStateMachine) -> PipelineStateMachine.Action
    ) -> PipelineStateMachine.Action {
        let before = machine.state
        let action = event(&machine)
        if machine.state != before { observer.stateChanged(from: before, to: machine.state) }
        return action
    }

    private func closeSource() async {
        guard let open = source else { return }
        source = nil
        await open.stop()
    }
}

/// A pipeline stopped by an error retrying cannot fix.
public struct PipelineFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Runs `body` on `queue`, off the threads tasks share: the offset store's calls block their
/// thread, and on the runner's commit queue they follow the commit in flight.
private func onQueue<T: Sendable>(_ queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, any Error>) in
        queue.async { done.resume(with: Result { try body() }) }
    }
}
