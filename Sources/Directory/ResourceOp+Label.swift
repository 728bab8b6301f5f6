extension ResourceOp {
    /// The operation and the source ids it concerns, for logs and reports: ids only, never an
    /// attribute value (a value may be personal data).
    public var label: String {
        switch self {
        case .create(let kind, let resource): "create \(kind.rawValue) \(resource.id ?? "?")"
        case .patch(let kind, let id, _): "patch \(kind.rawValue) \(id)"
        case .delete(let kind, let id): "delete \(kind.rawValue) \(id)"
        case .deactivate(let id): "deactivate User \(id)"
        case .reactivate(let id): "reactivate User \(id)"
        case .addMember(let group, let user): "addMember Group \(group) User \(user)"
        case .removeMember(let group, let user): "removeMember Group \(group) User \(user)"
        case .moveParent(let group, _): "moveParent Group \(group)"
        }
    }

    /// A member addition or removal: targets that keep memberships per group (a SCIM Group's
    /// `members`) or per user (a chat platform's department list) gather a run of them.
    public var isMemberChange: Bool {
        switch self {
        case .addMember, .removeMember: true
        case .create, .patch, .delete, .deactivate, .reactivate, .moveParent: false
        }
    }

    /// The source id of the group `self` creates, if it creates one.
    public var createdGroupID: String? {
        if case .create(.group, let resource) = self { return resource.id }
        return nil
    }
}
