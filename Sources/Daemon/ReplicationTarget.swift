import Directory

/// Where a pipeline applies its operations. One call is one target transaction: all of the
/// batch is applied or none of it, and every operation is idempotent (replaying a batch after
/// a crash changes nothing more). Blocking; the pipeline calls it on the target's own queue.
public protocol ReplicationTarget: AnyObject {
    func apply(_ ops: [ResourceOp]) throws
}
