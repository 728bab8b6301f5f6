import SCIM

/// The two resource types scimsync replicates.
public enum ResourceKind: String, Sendable, Hashable, CaseIterable {
    case user = "User"
    case group = "Group"
}

/// One change to a target directory, as every target (SQL or SCIM) understands it. Each is
/// idempotent when applied: create is an upsert by id, delete is delete-if-present, member
/// add is add-if-absent, member remove is remove-if-present.
public enum ResourceOp: Sendable, Hashable {
    /// Create (or overwrite) the resource, which carries its `id`.
    case create(ResourceKind, SCIMResource)
    /// Apply PATCH operations to the resource with this id.
    case patch(ResourceKind, id: String, [PatchOperation])
    case delete(ResourceKind, id: String)
    /// SCIM `active=false`: the "block" of batch feeds and the `onDelete: deactivate` policy.
    case deactivate(userID: String)
    case reactivate(userID: String)
    case addMember(groupID: String, userID: String)
    case removeMember(groupID: String, userID: String)
    /// Move a group under another parent, or to the root when `parentID` is nil.
    case moveParent(groupID: String, parentID: String?)
}
