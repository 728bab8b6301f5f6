import Directory

/// The kind of a ``ResourceOp`` as a target applies it, without its values: for errors, logs
/// and counts.
public enum TargetOperation: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case createUser, createGroup, patchUser, patchGroup, deleteUser, deleteGroup
    case deactivate, reactivate, addMember, removeMember, moveParent

    public init(_ op: ResourceOp) {
        switch op {
        case .create(.user, _): self = .createUser
        case .create(.group, _): self = .createGroup
        case .patch(.user, _, _): self = .patchUser
        case .patch(.group, _, _): self = .patchGroup
        case .delete(.user, _): self = .deleteUser
        case .delete(.group, _): self = .deleteGroup
        case .deactivate: self = .deactivate
        case .reactivate: self = .reactivate
        case .addMember: self = .addMember
        case .removeMember: self = .removeMember
        case .moveParent: self = .moveParent
        }
    }

    /// The create of a resource of `kind`.
    public static func create(_ kind: ResourceKind) -> TargetOperation {
        kind == .user ? .createUser : .createGroup
    }

    public var description: String { rawValue }
}
