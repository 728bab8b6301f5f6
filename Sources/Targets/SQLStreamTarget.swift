import Connectors
import Dispatch
import Directory
import SQLClients
import Synchronization

/// A SQL target as a pipeline's stream applies through it: the connection lives on a queue of
/// its own, so its blocking C calls never run on Swift's cooperative pool. It connects in the
/// background as soon as it is made (while a first load runs, say), so that the first
/// streamed batch does not wait for a connection, and again after a batch failed (the
/// connection may be gone).
///
/// A call whose task is cancelled (the daemon stopping) may finish for `cancelGrace`, so that
/// the batch in flight commits; then its statement is stopped through the connection's
/// ``StatementCanceller``: a statement waiting on a lock another client holds (a `LOCK
/// TABLES`, a schema change) would otherwise hold the daemon's stop for as long as the lock.
/// The batch is then applied again at the next start.
final class SQLStreamTarget: Target, Sendable {
    private let target: QueueConfined<SQLTarget>
    private let canceller: CancellerSlot
    private let cancelGrace: Duration

    init(label: String, cancelGrace: Duration = .seconds(10), open: @escaping @Sendable () throws -> SQLTarget) {
        let canceller = CancellerSlot()
        self.canceller = canceller
        self.cancelGrace = cancelGrace
        target = QueueConfined(label: label) {
            let target = try open()
            canceller.set(target.statementCanceller)
            return target
        }
        target.prepare()
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        try await run { try $0.apply(ops).outcome }
    }

    func resourceCount() async throws -> Int {
        try await run { try $0.resourceCount() }
    }

    /// Rows written by id: any row of the table may hold a source resource's id.
    var mayHoldForeignRows: Bool { true }

    /// The question, `vet` and the batch's transaction in one turn of the connection's queue;
    /// `vet`'s write runs beside the batch's statements, and COMMIT waits for it.
    func apply<Verdict: Sendable>(
        asking entries: Set<LedgerEntry>,
        vet: @escaping @Sendable (_ held: Set<LedgerEntry>) throws -> Vetted<Verdict>
    ) async throws -> (ops: [ResourceOp], verdict: Verdict, outcome: ApplyOutcome) {
        try await run { target in
            let vetted = try vet(entries.isEmpty ? [] : try target.existing(entries))
            guard !vetted.ops.isEmpty else {
                try vetted.beforeCommit?.wait()
                return (vetted.ops, vetted.verdict, .applied)
            }
            let gate = vetted.beforeCommit.map { write in { @Sendable in try write.wait() } }
            return (vetted.ops, vetted.verdict, try target.apply(vetted.ops, beforeCommit: gate).outcome)
        }
    }

    /// `body` on the connection's queue; cancelled, it is given `cancelGrace` to end before
    /// its statement is stopped.
    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLTarget) throws -> T) async throws -> T {
        let turn = Turn()
        return try await withTaskCancellationHandler {
            defer { turn.end() }
            return try await target.run(body)
        } onCancel: { [canceller, cancelGrace] in
            let grace = cancelGrace.components
            let nanoseconds = grace.seconds * 1_000_000_000 + grace.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
                if !turn.ended { canceller.cancel() }
            }
        }
    }
}

/// The open connection's canceller, set on its queue when it opens and used from any thread.
private final class CancellerSlot: Sendable {
    private let canceller = Mutex<(any StatementCanceller)?>(nil)

    func set(_ new: (any StatementCanceller)?) { canceller.withLock { $0 = new } }

    func cancel() { canceller.withLock { $0 }?.cancel() }
}

/// Whether one call on the connection has ended.
private final class Turn: Sendable {
    private let done = Mutex(false)

    var ended: Bool { done.withLock { $0 } }

    func end() { done.withLock { $0 = true } }
}

extension SQLTarget {
    /// Users and groups in the target.
    func resourceCount() throws -> Int {
        try count(.user, matching: nil) + (layout.groups == nil ? 0 : count(.group, matching: nil))
    }

    /// Which of `entries` the users and groups tables hold.
    func existing(_ entries: Set<LedgerEntry>) throws -> Set<LedgerEntry> {
        var found: Set<LedgerEntry> = []
        for (kind, scan) in [(ResourceKind.user, TargetScan.users), (.group, .groups)] {
            let ids = entries.filter { $0.kind == kind }.map(\.id)
            guard !ids.isEmpty else { continue }
            for id in try existingIDs(ids, of: scan) { found.insert(LedgerEntry(kind: kind, id: id)) }
        }
        return found
    }
}
