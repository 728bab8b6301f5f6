import Connectors
import Directory
import Foundation
import Synchronization

/// A pipeline's first load into an empty target: a consistent snapshot's load phases
/// (``Connectors/LoadPhase``: groups, their parents, users, memberships), applied to the target
/// chunk by chunk (memory bounded whatever the table sizes), each chunk of creates or member
/// additions through the database's bulk path (``SQLTarget/load(_:)``). A phase of creates the
/// source gives as rows (``Connectors/LoadRows``) goes from the source's rows to the target's
/// without a resource per row where the two maps agree (``Directory/RowTranscoder``).
///
/// The snapshot's position is committed by the caller only after the whole load: a crash
/// during the load starts it again, which the target's idempotent operations make harmless.
public enum InitialLoad {
    /// See ``Connectors/LoadPhase/chunkSize``.
    public static let chunkSize = LoadPhase.chunkSize

    /// Blocks the calling thread, which alone uses `target`.
    ///
    /// - Parameters:
    ///   - openParallelTarget: opens a second connection to the target, which applies every
    ///     other batch on a thread of its own (``ParallelApplier``); nil to apply every batch
    ///     through `target` (SQLite: one writer at a time).
    ///   - created: records the resources a batch creates, before the batch commits (a crash
    ///     in between leaves a ledger entry without a row, which is harmless); called
    ///     on either connection's thread.
    ///   - notice: told once when the target refuses the bulk path (``SQLTarget/load(_:)``),
    ///     which the load then does without; for the log.
    ///   - loaded: told of each phase once it is in the target: its name and how long it took;
    ///     for the log, which shows a long load's progress.
    public static func run(
        _ phases: [LoadPhase], target: SQLTarget,
        openParallelTarget: (@Sendable () throws -> SQLTarget)? = nil,
        created: @escaping @Sendable ([LedgerEntry]) throws -> Void = { _ in },
        notice: @escaping @Sendable (String) -> Void = { _ in },
        loaded: (_ phase: String, _ took: Duration) -> Void = { _, _ in }
    ) throws -> ApplyOutcome {
        let load = Batches(target: target, openParallelTarget: openParallelTarget)
        defer { load.stop() }
        // What the target parked or refused, from either connection's thread.
        let outcome = Mutex(ApplyOutcome.applied)
        let note = { @Sendable (result: ApplyResult) in
            let batch = result.outcome
            outcome.withLock { $0.append(batch) }
        }
        // Said once, by whichever connection hears it first.
        let refusalTold = Mutex(false)
        let tell = { @Sendable (target: SQLTarget) in
            guard let refusal = target.bulkLoadRefusal, !refusalTold.withLock({ told in defer { told = true }; return told })
            else { return }
            notice(refusal)
        }
        let clock = ContinuousClock()
        for phase in phases {
            // Whether a load with the keys aside took the whole phase; when it did not, the
            // phase goes batch by batch, and a reason worth logging is said.
            func settled(_ attempt: SQLTarget.KeysAsideLoad, _ whose: String) -> Bool {
                switch attempt {
                case .loaded(let result):
                    note(result)
                    return true
                case .notLoaded(let reason?):
                    notice("the \(phase.name) were loaded batch by batch with \(whose) keys in place: \(reason)")
                    return false
                case .notLoaded(nil):
                    return false
                }
            }
            let started = clock.now
            defer { loaded(phase.name, clock.now - started) }
            if let rows = phase.rows, let transcoder = target.transcoder(from: rows.mapper) {
                // Rows mapped straight into the target's, without a resource per row: in one
                // transaction with the table's keys set aside where the target does that
                // (``SQLTarget/loadSettingKeysAside(prepared:kind:created:)``), else batch by
                // batch, where a chunk the transcoder refuses goes the general way
                // (``SQLTarget/load(_:transcoded:transcoder:created:)``).
                if settled(try load.settingKeysAside(rows, transcoder: transcoder, created: created), "their table's") {
                    continue
                }
                // Transcoded on a thread of its own, between the one reading the source and the
                // connections writing the target.
                let read = ChunkPrefetch(rows.read())
                defer { read.stop() }
                try load.each(
                    { try read.next().map { TranscodedChunk($0, transcoder: transcoder) } }, isEmpty: \.rows.isEmpty
                ) { target, chunk in
                    note(try target.load(chunk.rows, transcoded: chunk.transcoded, transcoder: transcoder, created: created))
                    tell(target)
                }
            } else if phase.creates {
                try load.each(phase.readSettingAsideUnmappable(), isEmpty: \.isEmpty) { target, chunk in
                    try created(chunk.ops.compactMap(\.createdEntry))
                    var result = try target.load(ResourceOp.ordered(chunk.ops))
                    result.quarantined += chunk.unmapped.map(QuarantinedOp.init)
                    note(result)
                    tell(target)
                }
            } else {
                // Member additions into an empty relation table: in one transaction, keys made
                // after the rows (``SQLTarget/loadSettingKeysAside(_:)``), where the target can.
                if settled(try load.settingKeysAside(phase), "the relation table's") { continue }
                // On MariaDB, member additions without the server's foreign key checks, and
                // the keys checked once for the whole table after the phase
                // (``SQLTarget/checkMemberReferences()``): always then, since a load restarted
                // after a crash may find rows an earlier attempt wrote that way. The keys are
                // read from the catalog as it is now, not as an earlier load of this
                // long-lived target found them.
                target.memberReferenceCache = nil
                let deferChecks = target.defersMemberReferenceChecks
                let addsMembers = Atomic(false)
                try load.each(phase.read(), isEmpty: \.isEmpty) { target, ops in
                    if case .addMember? = ops.first { addsMembers.store(true, ordering: .relaxed) }
                    note(try target.load(ops, checkingMemberReferencesLater: deferChecks))
                    tell(target)
                }
                if deferChecks, addsMembers.load(ordering: .relaxed) {
                    note(try target.checkMemberReferences())
                }
            }
        }
        return outcome.withLock { $0 }
    }

    /// Applies a batch, again (at most twice more) when it lost a lock conflict: two load
    /// connections writing one table can deadlock over InnoDB's gap locks once rows exist (a
    /// restarted load); the batch was rolled back whole, so running it again is safe.
    fileprivate static func applyResolvingConflicts<Chunk>(
        _ target: SQLTarget, _ chunk: Chunk, _ apply: (SQLTarget, Chunk) throws -> Void
    ) throws {
        var attempt = 1
        while true {
            do {
                try apply(target, chunk)
                Failpoint.loadBatchApplied.passed()
                return
            } catch let error as TargetError where error.isLockConflict && attempt < 3 {
                attempt += 1
            }
        }
    }
}

/// The load's target side: batches applied through the pipeline's target, every other one
/// handed to a ``ParallelApplier`` when there is one; a table pass ends only once both
/// connections committed all of its batches, so the next pass may reference its rows.
private struct Batches {
    let target: SQLTarget
    let applier: ParallelApplier?

    init(target: SQLTarget, openParallelTarget: (@Sendable () throws -> SQLTarget)?) {
        self.target = target
        applier = openParallelTarget.map { ParallelApplier(open: $0) }
    }

    func stop() { applier?.stop() }

    /// Loads `phase` through the target's own connection in one transaction, its keys set
    /// aside, reading a chunk ahead as ``each(_:isEmpty:applying:)`` does.
    func settingKeysAside(_ phase: LoadPhase) throws -> SQLTarget.KeysAsideLoad {
        guard target.setsKeysAside else { return .notLoaded(reason: nil) }
        let read = ChunkPrefetch(phase.read())
        defer { read.stop() }
        guard let maker = target.memberRowMaker else { return try target.loadSettingKeysAside { try read.next() } }
        // The rows made on a thread of its own, as for creates (PostgreSQL: their COPY text),
        // so that the connection's thread only writes.
        let copies: Bool
        if case .postgres = target.dialect { copies = true } else { copies = false }
        let prepared = ChunkPrefetch { () throws -> BulkRows?? in
            try read.next().map { ops in copies ? maker.copyRows(ops) : (try? maker.bulkRows(ops)) ?? nil }
        }
        defer { prepared.stop() }
        return try target.loadSettingKeysAside(prepared: { try prepared.next() })
    }

    /// Loads a phase of creates read as rows through the target's own connection in one
    /// transaction, its table's keys set aside, reading a chunk ahead.
    func settingKeysAside(
        _ rows: LoadRows, transcoder: RowTranscoder, created: ([LedgerEntry]) throws -> Void
    ) throws -> SQLTarget.KeysAsideLoad {
        guard target.setsKeysAside(for: rows.mapper.kind) else { return .notLoaded(reason: nil) }
        // Three stages on threads of their own, a chunk apart: the source's rows read, then
        // transcoded into COPY's text, then recorded and sent by the target's connection.
        let read = ChunkPrefetch(rows.read())
        defer { read.stop() }
        let prefetch = ChunkPrefetch { () throws -> PreparedRows? in try read.next().map(transcoder.prepareCopy) }
        defer { prefetch.stop() }
        return try target.loadSettingKeysAside(prepared: { try prefetch.next() }, kind: rows.mapper.kind, created: created)
    }

    /// Reads a phase chunk by chunk with `read` (a reader the phase just made), each chunk one
    /// target batch. The next chunk is read on a thread of its own while the current one is
    /// applied, so the source's SELECT and the target's transactions overlap instead of taking
    /// turns; a few chunks at most are in memory (one read ahead, one or two applied).
    func each<Chunk: Sendable>(
        _ read: @escaping () throws -> Chunk?, isEmpty: (Chunk) -> Bool,
        applying apply: @escaping @Sendable (SQLTarget, Chunk) throws -> Void
    ) throws {
        let prefetch = ChunkPrefetch(read)
        defer { prefetch.stop() }
        var handOver = false
        while let batch = try prefetch.next() {
            guard !isEmpty(batch) else { continue }
            if handOver, let applier {
                try applier.submit { target in try InitialLoad.applyResolvingConflicts(target, batch, apply) }
            } else {
                try InitialLoad.applyResolvingConflicts(target, batch, apply)
            }
            handOver.toggle()
        }
        try applier?.drain()
    }
}
