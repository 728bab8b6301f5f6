import Connectors
import Directory

/// What a pipeline keeps in its offset store, as the runner needs it. The offset store
/// implements it; tests use an in-memory one.
public protocol OffsetLog: Sendable {
    /// The committed position, nil before the first load.
    func position() throws -> SourcePosition?
    /// Commits `position` once the target applied `ops`, recording in the same write what they
    /// created and deleted (the ownership ledger) and when the source committed them.
    func commit(_ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp]) throws
    /// Records what applied `ops` created and deleted, without a position (a part of a source
    /// transaction, or parked operations applied late).
    func record(applied ops: [ResourceOp]) throws
    /// ``commit(_:sourceTime:applied:)``, recording `journal` (what became of each operation)
    /// in the same write. With `creationsRecorded`, every create of `ops` joined the ledger
    /// before the batch was applied (``recordCreated(_:)``) and is not written again.
    func commit(
        _ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp], journal: [JournalRecord],
        creationsRecorded: Bool
    ) throws
    /// ``record(applied:)``, recording `journal` too.
    func record(applied ops: [ResourceOp], journal: [JournalRecord]) throws
    /// Which of `entries` scimsync created in the target (the ownership ledger).
    func owned(_ entries: Set<LedgerEntry>) throws -> Set<LedgerEntry>
    /// Records `entries` in the ledger before the creates that make them are applied, so that
    /// a batch replayed after a crash between its apply and its commit finds its rows owned.
    func recordCreated(_ entries: [LedgerEntry]) throws
    /// Holds the pipeline for `reason` (shown by `status`), until approved.
    func hold(_ reason: String) throws
    /// Whether someone approved the held removals (`scimsync approve`).
    func holdApproved() throws -> Bool
    /// Lifts the hold.
    func clearHold() throws
    /// Stores operations waiting for a row that is not there yet (idempotent by operation).
    func park(_ operations: [ParkedOperation]) throws
    /// The parked operations, oldest first.
    func parked() throws -> [ParkedOperation]
    /// Forgets parked operations that have now been applied or were made obsolete.
    func unpark(_ operations: [ParkedOperation]) throws
    /// Records resources the target refused; clears the record of those in `applied` that
    /// applied this time.
    func quarantine(_ resources: [QuarantinedResource], applied ops: [ResourceOp]) throws
    /// Whether the log records journal entries now: when it does not, the runner builds none
    /// (a record per operation, with its attribute names, costs time on every batch).
    var keepsJournal: Bool { get }
    /// Keeps that the pipeline paused because the source's tables do not fit the layout
    /// (nil: it no longer is, a load committed), so that a pipeline started again while it
    /// is reads the source again once they fit, as the pause would have ended.
    func setPausedForMapping(_ reason: String?) throws
    /// Why the pipeline was left paused for its mapping, if it was.
    func pausedForMapping() throws -> String?
}

extension OffsetLog {
    /// A log that says nothing of its journal is given every record.
    public var keepsJournal: Bool { true }

    /// A log that keeps no pause forgets it.
    public func setPausedForMapping(_ reason: String?) throws {}

    /// A log that keeps no pause has none.
    public func pausedForMapping() throws -> String? { nil }

    /// A log that keeps no journal commits without it.
    public func commit(
        _ position: SourcePosition, sourceTime: Int64?, applied ops: [ResourceOp], journal: [JournalRecord]
    ) throws {
        try commit(position, sourceTime: sourceTime, applied: ops)
    }

    /// A log that keeps no journal records without it.
    public func record(applied ops: [ResourceOp], journal: [JournalRecord]) throws {
        try record(applied: ops)
    }
}
