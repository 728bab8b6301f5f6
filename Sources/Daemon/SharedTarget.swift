import Connectors
import Directory

/// A pipeline's target as its stream and a reconciliation running beside it share it: one
/// batch at a time (the stream's, or the pass's repairs), whatever the kind of target. The
/// stream notes what it applied (the dirty set) before it lets go, and the pass leaves out,
/// under the same hold, what the stream changed after its snapshot; the stream waits while a
/// refused pass holds the pipeline (the gate).
///
/// The wrapped target is used under `turns` only, one call at a time, as ``Target`` asks:
/// that is what the unchecked `Sendable` rests on.
final class SharedTarget: Target, @unchecked Sendable {
    private let target: any Target
    private let turns = AsyncLock()
    private let gate: PauseGate
    private let dirty: StreamDirtySet

    init(_ target: any Target, gate: PauseGate, dirty: StreamDirtySet) {
        self.target = target
        self.gate = gate
        self.dirty = dirty
    }

    /// The stream's batch.
    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        try await gate.pass()
        return try await turns.withLock {
            let outcome = try await target.apply(ops)
            dirty.mark(ops)
            return outcome
        }
    }

    /// A pass's repairs, minus those touching what the stream changed since the pass began.
    /// - Returns: the operations applied, and what the target parked or refused of them.
    func applyRepairs(_ ops: [ResourceOp]) async throws -> (applied: [ResourceOp], outcome: ApplyOutcome) {
        try await turns.withLock {
            let kept = ops.filter { !dirty.touches($0) }
            guard !kept.isEmpty else { return ([], .applied) }
            return (kept, try await target.apply(kept))
        }
    }

    func resourceCount() async throws -> Int {
        try await turns.withLock { try await target.resourceCount() }
    }

    var mayHoldForeignRows: Bool { target.mayHoldForeignRows }

    /// The question and the writes in one turn: a pass's repair cannot come in between.
    func apply<Verdict: Sendable>(
        asking entries: Set<LedgerEntry>,
        vet: @escaping @Sendable (_ held: Set<LedgerEntry>) throws -> Vetted<Verdict>
    ) async throws -> (ops: [ResourceOp], verdict: Verdict, outcome: ApplyOutcome) {
        try await gate.pass()
        return try await turns.withLock {
            let applied = try await target.apply(asking: entries, vet: vet)
            dirty.mark(applied.ops)
            return applied
        }
    }
}
