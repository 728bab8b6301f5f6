import SCIM

// The one rule for operations set aside until a user or group they name arrives: what such
// an operation decides (its key), and which later operations make it obsolete. The target
// that parks an operation and the pipeline that stores and retries it both keep it.
extension ResourceOp {
    /// What the operation decides, as a JSON array (so that no id can make two keys alike): a
    /// membership is its (group, user) pair, or, when each user has one group (a `users.group`
    /// column and no relation table), the user; a parent move is its group; anything else is
    /// its resource. Parking the same key again replaces the earlier operation.
    public func parkingKey(oneGroupPerUser: Bool) -> String {
        let parts: [String]
        switch self {
        case .addMember(let group, let user), .removeMember(let group, let user):
            parts = oneGroupPerUser ? ["groupOf", user] : ["membership", group, user]
        case .moveParent(let group, _): parts = ["parent", group]
        case .create(let kind, let resource): parts = [kind.rawValue, resource.id ?? ""]
        case .patch(let kind, let id, _), .delete(let kind, let id): parts = [kind.rawValue, id]
        case .deactivate(let id), .reactivate(let id): parts = [ResourceKind.user.rawValue, id]
        }
        return SCIMValue.array(parts.map { .string($0) }).jsonString()
    }

    /// Whether this operation, coming after `parked` (parked under `parkedKey`), decides what
    /// `parked` would have done: it has the same key, in whichever form the target keyed it
    /// (a newer change of the same membership or parent), or it deletes the user or group
    /// `parked` names (the source no longer has the membership or parent it would write).
    public func makesObsolete(_ parked: ResourceOp, parkedKey: String) -> Bool {
        switch self {
        case .addMember, .removeMember, .moveParent:
            return parkingKey(oneGroupPerUser: false) == parkedKey || parkingKey(oneGroupPerUser: true) == parkedKey
        case .delete(let kind, let id):
            switch (kind, parked) {
            case (.user, .addMember(_, let user)): return user == id
            case (.group, .addMember(let group, _)): return group == id
            case (.group, .moveParent(let group, let parent)): return group == id || parent == id
            default: return false
            }
        case .create, .patch, .deactivate, .reactivate:
            return false
        }
    }
}
