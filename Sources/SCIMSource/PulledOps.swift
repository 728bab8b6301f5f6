import Directory
import SCIM

/// Resources read from a SCIM provider as the operations a target applies: each resource an
/// upsert by the provider's id (its `id` is the directory's id), a group's members as
/// add-if-absent member operations after it. Idempotent, like every operation: a page read
/// twice changes nothing more.
public enum PulledOps {
    public static func ops(for resources: [SCIMResource], kind: ResourceKind) -> [ResourceOp] {
        var ops: [ResourceOp] = []
        for resource in resources {
            guard let id = resource.id, !id.isEmpty else { continue }
            var attributes = resource.attributes
            // Server-side bookkeeping, not directory data.
            _ = attributes.removeValue(forKey: "meta")
            guard kind == .group else {
                ops.append(.create(.user, SCIMResource(attributes)))
                continue
            }
            _ = attributes.removeValue(forKey: "members")
            ops.append(.create(.group, SCIMResource(attributes)))
            for member in resource.userMemberIDs {
                ops.append(.addMember(groupID: id, userID: member))
            }
        }
        return ops
    }
}
