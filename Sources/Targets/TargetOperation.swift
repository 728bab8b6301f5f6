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

    public var description: String { rawValue }
}

/// What one ``SQLTarget/apply(_:)`` did.
public struct ApplyResult: Sendable, Hashable {
    /// Operations applied, by kind (including those that found nothing to change).
    public var applied: [TargetOperation: Int] = [:]
    /// Patches of rows the target does not have: the resource was deleted later in the
    /// stream (or never reached the target), so there is nothing to patch.
    public var skippedPatches: Int = 0
    /// Statements sent, BEGIN and COMMIT excluded: shows how well the batch was combined.
    public var statements: Int = 0

    public init() {}
}
