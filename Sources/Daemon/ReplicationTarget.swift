import Connectors
import Directory

/// A blocking target: a SQL database reached through a C client. One call is one target
/// transaction: a SQL target applies all of the batch or none of it. Every operation is
/// idempotent (replaying a batch after a crash changes nothing more). The pipeline calls it on
/// the target's own queue (``QueuedTarget``), never on Swift's cooperative pool.
public protocol ReplicationTarget: AnyObject {
    func apply(_ ops: [ResourceOp]) throws

    /// Applies `ops`, reporting what it parked or quarantined instead of failing the batch.
    func applyReporting(_ ops: [ResourceOp]) throws -> ApplyOutcome

    /// Users and groups in the target.
    func resourceCount() throws -> Int
}

extension ReplicationTarget {
    public func applyReporting(_ ops: [ResourceOp]) throws -> ApplyOutcome {
        try apply(ops)
        return .applied
    }
}
