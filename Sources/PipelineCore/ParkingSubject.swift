import Directory

extension ResourceOp {
    /// What the operation is about, for parked operations: a later operation on the same
    /// subject supersedes a parked one (a membership removed while its addition waited for
    /// the group must not come back when the group arrives).
    var parkingSubject: String {
        switch self {
        case .create(let kind, let resource): "\(kind.rawValue):\(resource.id ?? "")"
        case .patch(let kind, let id, _), .delete(let kind, let id): "\(kind.rawValue):\(id)"
        case .deactivate(let id), .reactivate(let id): "User:\(id)"
        case .addMember(let group, let user), .removeMember(let group, let user): "Member:\(group):\(user)"
        case .moveParent(let group, _): "Parent:\(group)"
        }
    }

    /// Whether the operation makes a resource exist that parked operations may wait for.
    var createsResource: Bool {
        if case .create = self { return true }
        return false
    }
}

extension ResourceOp {
    /// Whether this operation, applied after `parked` was parked, makes it obsolete: it is about
    /// the same subject, or it deletes a user or group the parked operation refers to.
    func supersedes(_ parked: ResourceOp) -> Bool {
        if parkingSubject == parked.parkingSubject { return true }
        guard case .delete(let kind, let id) = self else { return false }
        switch (kind, parked) {
        case (.user, .addMember(_, let user)), (.user, .removeMember(_, let user)): return user == id
        case (.group, .addMember(let group, _)), (.group, .removeMember(let group, _)): return group == id
        case (.group, .moveParent(let group, let parent)): return group == id || parent == id
        default: return false
        }
    }
}
