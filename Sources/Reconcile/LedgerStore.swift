import Directory

/// What a reconciliation pass keeps between passes, for one pipeline: the ownership ledger
/// (which target resources scimsync created), the hold a refused pass leaves, and the run
/// log. The daemon keeps them in its offset store; tests keep them in memory.
public protocol LedgerStore {
    /// Which of `ids` (of one kind) scimsync created in the target.
    func owned(_ ids: [String], kind: ResourceKind) throws -> Set<String>
    /// Records resources created (before their creation commits) and forgets resources deleted
    /// (after their deletion committed).
    func updateLedger(added: [LedgerEntry], removed: [LedgerEntry]) throws
    /// The hold a refused pass left, if any.
    func hold() throws -> ReconcileHold?
    /// Holds the pipeline: the pass was refused for `reason`.
    func setHold(reason: String) throws
    /// Lifts the hold once an approved pass went through (or found nothing to do).
    func clearHold() throws
    /// Opens a run record of kind `reconcile`.
    func startRun() throws -> Int64
    /// Closes it with what it did, or the error that ended it.
    func finishRun(_ id: Int64, ops: [String: Int], error: String?) throws
}

/// A refused pass's hold: why, and whether someone approved the next pass (`scimsync approve`).
public struct ReconcileHold: Sendable, Hashable {
    public var reason: String
    /// The next pass may go through once, whatever it removes.
    public var approved: Bool

    public init(reason: String, approved: Bool) {
        self.reason = reason
        self.approved = approved
    }
}
