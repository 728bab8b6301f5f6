import Directory

/// Where a pipeline applies its operations. One call is one target transaction: a SQL target
/// applies all of the batch or none of it; a SCIM service provider has no transactions, so a
/// batch that fails part-way has applied its first operations, and replaying it completes it.
/// Either way every operation is idempotent (replaying a batch after a crash changes nothing
/// more). Blocking; the pipeline calls it on the target's own queue.
public protocol ReplicationTarget: AnyObject {
    func apply(_ ops: [ResourceOp]) throws
}
