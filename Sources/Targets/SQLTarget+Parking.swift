import Directory
import SCIM

// What the caller of ``SQLTarget/apply(_:)`` needs to keep parked operations right: their
// identity, which later operations make them obsolete, and when to submit them again.
extension SQLTarget {
    /// What decides the outcome of a parked operation in this target's layout
    /// (``Directory/ResourceOp/parkingKey(oneGroupPerUser:)``).
    public func parkingKey(_ op: ResourceOp) -> String {
        op.parkingKey(oneGroupPerUser: relation == nil && layout.users.group != nil)
    }

    /// Whether `later`, an operation after `parked` in the stream, decides what `parked` would
    /// have done (``Directory/ResourceOp/makesObsolete(_:parkedKey:)``).
    public func makesObsolete(_ later: ResourceOp, _ parked: ParkedOp) -> Bool {
        later.makesObsolete(parked.op, parkedKey: parked.key)
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
