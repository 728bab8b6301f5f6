import Directory

/// Where a Feishu target keeps which Feishu object stands for which source resource. With
/// `user_id_type=user_id` and `department_id_type=department_id` the ids are the caller's to
/// choose (``FeishuTargetID``), so the map holds the id each create was sent with; it is also
/// the target's ownership ledger: only mapped objects are changed or deleted, and only they are
/// read back by reconciliation. The daemon keeps it in the offset store.
public protocol FeishuIDMap: Sendable {
    /// The entry of one source resource, or nil when scimsync has none.
    func entry(_ sourceID: String, kind: ResourceKind) throws -> FeishuIDEntry?
    /// Notes that a create of `sourceID` is about to be sent, before it is: if the answer is
    /// lost, the next attempt knows the object may be its own (41011, 43007).
    func recordIntent(_ sourceID: String, kind: ResourceKind) throws
    /// Records Feishu's id (`user_id` or `department_id`) of `sourceID`.
    func map(_ sourceID: String, to platformID: String, kind: ResourceKind) throws
    /// Forgets `sourceID` (deleted, or gone from Feishu).
    func forget(_ sourceID: String, kind: ResourceKind) throws
    /// How many resources of `kind` are mapped.
    func count(_ kind: ResourceKind) throws -> Int
    /// Every mapped resource of `kind`: Feishu id → source id.
    func sourceIDs(_ kind: ResourceKind) throws -> [String: String]
}

/// One source resource as Feishu knows it.
public enum FeishuIDEntry: Sendable, Hashable {
    /// A create was sent and its answer not recorded: the object may exist.
    case pending
    /// Feishu's id.
    case mapped(String)
}
