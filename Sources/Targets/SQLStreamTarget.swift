import Connectors
import Directory
import SQLClients

/// A SQL target as a pipeline's stream applies through it: the connection lives on a queue of
/// its own, so its blocking C calls never run on Swift's cooperative pool. It connects in the
/// background as soon as it is made (while a first load runs, say), so that the first
/// streamed batch does not wait for a connection, and again after a batch failed (the
/// connection may be gone).
final class SQLStreamTarget: Target {
    private let target: QueueConfined<SQLTarget>

    init(label: String, open: @escaping @Sendable () throws -> SQLTarget) {
        target = QueueConfined(label: label, open: open)
        target.prepare()
    }

    func apply(_ ops: [ResourceOp]) async throws -> ApplyOutcome {
        try await target.run { try $0.apply(ops).outcome }
    }

    func resourceCount() async throws -> Int {
        try await target.run { try $0.resourceCount() }
    }

    /// Rows written by id: any row of the table may hold a source resource's id.
    var mayHoldForeignRows: Bool { true }

    func existing(_ entries: Set<LedgerEntry>) async throws -> Set<LedgerEntry> {
        try await target.run { try $0.existing(entries) }
    }

    /// The question, `vet` and the batch's transaction in one turn of the connection's queue.
    func apply<Verdict: Sendable>(
        asking entries: Set<LedgerEntry>,
        vet: @escaping @Sendable (_ held: Set<LedgerEntry>) throws -> (ops: [ResourceOp], verdict: Verdict)
    ) async throws -> (ops: [ResourceOp], verdict: Verdict, outcome: ApplyOutcome) {
        try await target.run { target in
            let (ops, verdict) = try vet(entries.isEmpty ? [] : try target.existing(entries))
            return (ops, verdict, ops.isEmpty ? .applied : try target.apply(ops).outcome)
        }
    }
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
