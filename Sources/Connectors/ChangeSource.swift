import Directory

/// A source of changes as the pipeline sees it, whatever the source is (a binlog, change
/// tracking, uploaded feeds, a SCIM provider): batches in source order, each carrying the
/// position after it.
///
/// Used by one task at a time (not Sendable). Delivery is at least once: after a restart the
/// pipeline opens the source again at the last committed position and may see batches again;
/// the target's idempotent apply makes that safe.
public protocol ChangeSource: AnyObject {
    /// The next event, waiting for the source as long as it takes; nil when the source ended
    /// (a bounded read) or was stopped.
    /// - Throws: ``SourceFailure`` for what the pipeline can recover from; any other error is
    ///   one that retrying cannot fix.
    func next() async throws -> SourceEvent?

    /// The next event only if it can be made from what the source already received; nil
    /// instead of waiting. Group commit gathers batches with this, so that a batch in hand
    /// never waits for the source's next transaction.
    func nextBuffered() async throws -> SourceEvent?

    /// Everything up to `position` is committed at the target and in the offset store: the
    /// source may forget it (a reconnection resumes after it).
    func acknowledge(_ position: SourcePosition) async

    /// Stops reading and releases the connection.
    func stop() async

    /// The target refused these resources of the batch in hand (they are quarantined): a
    /// source that keeps its own record of what the target holds (a feed) notes them, so that
    /// its next run sends them again whole. Called before the batch's acknowledgement.
    func refused(_ resources: [QuarantinedResource]) async
}

extension ChangeSource {
    /// Most sources send a row again only when it changes: nothing to note.
    public func refused(_ resources: [QuarantinedResource]) async {}
}

/// What a source hands the pipeline.
public enum SourceEvent: Sendable {
    /// Changes to apply.
    case batch(SourceBatch)
    /// Rows changed in a way the source's log does not carry (a TRUNCATE TABLE, a foreign-key
    /// cascade): the target must be compared with the source itself, now, from a consistent
    /// snapshot. `position` is where the event was seen.
    case resyncNeeded(reason: String, position: SourcePosition)
    /// A source read in full on a schedule (a SCIM provider's full pull, a chat platform's
    /// full read) is due to be read again: compared with the target as a reconciliation pass
    /// is, while the pipeline counts as following its source (ready).
    case fullReadDue(reason: String, position: SourcePosition)
    /// The source's schema no longer fits the mapping (a mapped column or table renamed or
    /// dropped): nothing after `position` may be applied until the schema or configuration is
    /// fixed. `reason` names the table, the column and the fix.
    case mappingBroken(reason: String, position: SourcePosition)
}

/// The operations one source transaction (or a part of a large one) means for the target.
public struct SourceBatch: Sendable {
    public var ops: [ResourceOp]
    /// Where reading resumes after this batch.
    public var position: SourcePosition
    /// False for a part of a source transaction that more parts follow. Such a part is applied
    /// but its position is never committed: a restart replays the transaction whole, which
    /// idempotent apply makes safe.
    public var endsTransaction: Bool
    /// When the source committed it, in seconds since 1970 (UTC), if the source says.
    public var commitTime: Int64?
    /// Row changes read for it (for metrics), whether or not they made operations.
    public var rowCount: Int
    /// Rows of it the layout cannot map (a value outside what the mapping can convert): they
    /// are quarantined and reported; the rest of the batch is applied.
    public var unmapped: [QuarantinedResource]
    /// The source's unit this batch is a part of, when one approval of the removal limit is
    /// meant for all its batches: a feed run (`feed run 12`) arrives in chunks, and a person
    /// who approves its blocks approves the run, not its first chunk. Nil: an approval covers
    /// this batch alone.
    public var approvalScope: String?
    /// Whether its creates may be of resources the target has already (a source that sends
    /// what an object is now, new or not, as a create that overwrites): they then count as
    /// no creation against the removal limit, or a burst of updates would make room for as
    /// many removals.
    public var createsMayExist: Bool

    public init(
        ops: [ResourceOp], position: SourcePosition, endsTransaction: Bool = true, commitTime: Int64? = nil,
        rowCount: Int = 0, unmapped: [QuarantinedResource] = [], approvalScope: String? = nil, createsMayExist: Bool = false
    ) {
        self.createsMayExist = createsMayExist
        self.ops = ops
        self.position = position
        self.endsTransaction = endsTransaction
        self.commitTime = commitTime
        self.rowCount = rowCount
        self.unmapped = unmapped
        self.approvalScope = approvalScope
    }
}

/// A source failure the pipeline knows how to recover from. Connectors translate their own
/// errors into these; every other error stops the pipeline (`failed`).
public enum SourceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The source is unreachable or dropped the connection: try again with backoff from the
    /// committed position.
    case unavailable(String)
    /// The source no longer has the committed position (a purged binlog, a change-tracking
    /// version below the minimum valid one): recover by reconciling from a new snapshot.
    case positionLost(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): "the source is unavailable: \(reason)"
        case .positionLost(let reason): "the source no longer has the stored position: \(reason)"
        }
    }
}
