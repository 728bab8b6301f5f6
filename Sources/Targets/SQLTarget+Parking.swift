import Directory
import SCIM

// What the caller of ``SQLTarget/apply(_:)`` needs to keep parked operations right: their
// identity, which later operations make them obsolete, and when to submit them again.
extension SQLTarget {
    /// What decides the outcome of a parked operation: parking the same key again replaces
    /// it, and a later operation with the same key makes it obsolete. A membership in a
    /// relation table is its (group, user) pair; in a `users.group` layout a user has one
    /// group, so it is the user; a parent move is its group. A JSON array, so that no id can
    /// make two keys alike.
    public func parkingKey(_ op: ResourceOp) -> String {
        let parts: [String]
        switch op {
        case .addMember(let group, let user), .removeMember(let group, let user):
            parts = relation != nil || layout.users.group == nil ? ["membership", group, user] : ["groupOf", user]
        case .moveParent(let group, _): parts = ["parent", group]
        case .create(let kind, let resource): parts = [kind.rawValue, resource.id ?? ""]
        case .patch(let kind, let id, _), .delete(let kind, let id): parts = [kind.rawValue, id]
        case .deactivate(let id), .reactivate(let id): parts = [ResourceKind.user.rawValue, id]
        }
        return SCIMValue.array(parts.map { .string($0) }).jsonString()
    }

    /// Whether `later`, an operation after `parked` in the stream, decides what `parked` would
    /// have done: it has the same ``parkingKey(_:)`` (a newer change of the same membership or
    /// parent), or it deletes the user or group `parked` names (the source no longer has
    /// the membership or parent it would write).
    public func makesObsolete(_ later: ResourceOp, _ parked: ParkedOp) -> Bool {
        switch later {
        case .addMember, .removeMember, .moveParent:
            return parkingKey(later) == parked.key
        case .delete(let kind, let id):
            switch (kind, parked.op) {
            case (.user, .addMember(_, let user)): return user == id
            case (.group, .addMember(let group, _)): return group == id
            case (.group, .moveParent(let group, let parent)): return group == id || parent == id
            default: return false
            }
        case .create, .patch, .deactivate, .reactivate:
            return false
        }
    }

    /// The keys of `parked` operations that `batch` (applied after them) makes obsolete: the
    /// caller drops them from its store, before storing the batch's own parked operations
    /// (which ``apply(_:)`` already leaves out when a later operation of the same batch
    /// makes them obsolete).
    public func obsoleteParkedKeys(_ parked: [ParkedOp], after batch: [ResourceOp]) -> Set<String> {
        var keys: Set<String> = []
        for entry in parked where batch.contains(where: { makesObsolete($0, entry) }) {
            keys.insert(entry.key)
        }
        return keys
    }

    /// The `parked` operations that `batch` may have unblocked: those waiting for a user or
    /// group the batch created. The caller submits them (in ``ResourceOp/ordered(_:)``
    /// order) as a batch of their own right after.
    public static func parkedOpsToRetry(_ parked: [ParkedOp], after batch: [ResourceOp]) -> [ParkedOp] {
        var created: Set<ResourceRef> = []
        for op in batch {
            if case .create(let kind, let resource) = op, let id = resource.id { created.insert(ResourceRef(kind, id)) }
        }
        guard !created.isEmpty else { return [] }
        return parked.filter { created.contains($0.waitingFor) }
    }
}
