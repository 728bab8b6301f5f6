/// What a quarantined operation was about: the row the target refused.
public enum QuarantineSubject: Sendable, Hashable, CustomStringConvertible {
    case user(String)
    case group(String)
    case membership(groupID: String, userID: String)

    public init(_ op: ResourceOp) {
        switch op {
        case .create(let kind, let resource): self.init(kind, resource.id ?? "")
        case .patch(let kind, let id, _), .delete(let kind, let id): self.init(kind, id)
        case .deactivate(let id), .reactivate(let id): self = .user(id)
        case .addMember(let group, let user), .removeMember(let group, let user):
            self = .membership(groupID: group, userID: user)
        case .moveParent(let group, _): self = .group(group)
        }
    }

    public init(_ kind: ResourceKind, _ id: String) {
        switch kind {
        case .user: self = .user(id)
        case .group: self = .group(id)
        }
    }

    /// `User`, `Group` or `Membership`: the quarantine store's kind.
    public var kind: String {
        switch self {
        case .user: "User"
        case .group: "Group"
        case .membership: "Membership"
        }
    }

    /// The id the quarantine store keeps: the resource's id, or `group user` for a
    /// membership.
    public var id: String {
        switch self {
        case .user(let id), .group(let id): id
        case .membership(let group, let user): "\(group) \(user)"
        }
    }

    public var description: String { "\(kind) \(id)" }
}
