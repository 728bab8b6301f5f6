import Directory

/// Where a DingTalk target keeps which DingTalk object stands for which source resource:
/// DingTalk assigns a department's `dept_id` itself ("创建部门" answers it), and a user's
/// `userid` is the source id only when that is a valid userid (``DingTalkUserID``). The map
/// is also the target's ownership ledger: only mapped objects are changed or deleted, and
/// only they are read back by reconciliation. The daemon keeps it in the offset store.
public protocol DingTalkIDMap: Sendable {
    /// The entry of one source resource, or nil when scimsync has none.
    func entry(_ sourceID: String, kind: ResourceKind) throws -> DingTalkIDEntry?
    /// Notes that a create of `sourceID` is about to be sent, before it is: if the answer is
    /// lost, the next attempt knows the object may be its own (60102, 60008).
    func recordIntent(_ sourceID: String, kind: ResourceKind) throws
    /// Records DingTalk's id (`userid`, or `dept_id` as decimal text) of `sourceID`.
    func map(_ sourceID: String, to platformID: String, kind: ResourceKind) throws
    /// Forgets `sourceID` (deleted, or gone from DingTalk).
    func forget(_ sourceID: String, kind: ResourceKind) throws
    /// How many resources of `kind` are mapped.
    func count(_ kind: ResourceKind) throws -> Int
    /// Every mapped resource of `kind`: DingTalk id → source id.
    func sourceIDs(_ kind: ResourceKind) throws -> [String: String]
}

/// One source resource as DingTalk knows it.
public enum DingTalkIDEntry: Sendable, Hashable {
    /// A create was sent and its answer not recorded: the object may exist.
    case pending
    /// DingTalk's id.
    case mapped(String)
}
