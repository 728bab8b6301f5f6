import Directory
import Reconcile

/// One configured target as the pipeline reaches it, whatever its kind: the target the stream
/// applies through, what a first load and a reconciliation pass need of it, and a check for
/// `scimsync check`. Each kind's module provides one; the daemon's registry makes it from the
/// configuration.
public protocol TargetConnector: Sendable {
    /// The target a pipeline's stream applies through, for the pipeline's lifetime. Making it
    /// does not fail for a target that is down (it may connect in the background): the
    /// pipeline retries its batches.
    func openTarget() throws -> any Target

    /// Whether the target holds nothing of the pipeline's yet: a first load into it only
    /// creates, which ``load(_:created:)`` does faster than a reconciliation pass.
    func isEmpty() async throws -> Bool

    /// A reader of the target as it is now, for one reconciliation pass, through connections
    /// of its own (the stream goes on through its target). Its reads may block (C clients):
    /// use it on a ``BlockingThread``.
    func openReconcileReader() async throws -> any ReconcileTargetReader

    /// Applies a first load's phases (``SourceSnapshot/loadPhases(chunkSize:)``) to the empty
    /// target, each phase committed before the next begins, through connections of its own.
    /// `created` records the resources a batch creates before the batch commits. The phases'
    /// reads block: call it on a ``BlockingThread``.
    /// - Returns: what the target parked or refused instead of applying.
    func load(_ phases: [LoadPhase], created: @escaping @Sendable ([LedgerEntry]) throws -> Void) async throws
        -> ApplyOutcome

    /// What `scimsync check` finds: whether the target answers, and its tables (or its
    /// service provider's capabilities) against the layout, each a line naming what to change.
    /// Database clients block the calling thread: call it from a command, or on a
    /// ``BlockingThread``.
    func probe() async -> [ConnectorCheck]
}
