import Directory
import SCIM

/// What one merge-join step calls for: the reconciliation rules in one place, without I/O.
///
/// - On the source only: create (the target gains it, and scimsync owns it).
/// - On the target only: when scimsync created it (in the ledger), delete, or deactivate under
///   `onDelete: deactivate` (nothing when already inactive); otherwise reported as unmanaged
///   and left alone, `adopt` or not: adoption takes over rows matched by id, and a row the
///   source does not have matches nothing.
/// - On both: when managed (in the ledger, or `adopt`, which adds it to the ledger), a PATCH
///   of the attributes both layouts map that differ, and the user's activation — the source's
///   `active` when it maps one, otherwise active (a user who is back is re-activated under
///   `onDelete: deactivate`); otherwise reported as unmanaged.
/// - A membership is managed when its user is (in the ledger, or absent from the target: the
///   pass creates it).
public struct ReconcileRules: Sendable {
    public var onDelete: DeletePolicy
    public var adopt: Bool
    /// The source's user map restricted to the attributes the target maps too.
    public var users: RowMapper
    public var groups: RowMapper?
    /// Whether the target's users carry `active` (deactivation needs it).
    public var targetMapsActive: Bool
    /// Whether both layouts have a parent column, so parents can be compared.
    public var compareParents: Bool

    public init(source: DirectoryLayout, target: DirectoryLayout, onDelete: DeletePolicy, adopt: Bool) {
        self.onDelete = onDelete
        self.adopt = adopt
        users = source.userMapper.sharingAttributes(with: target.userMapper)
        if let sourceGroups = source.groupMapper, let targetGroups = target.groupMapper {
            groups = sourceGroups.sharingAttributes(with: targetGroups)
        } else {
            groups = nil
        }
        targetMapsActive = target.userMapper.mapsActive
        compareParents = source.groups?.parent != nil && target.groups?.parent != nil
    }

    /// The decision for one user or group.
    /// - Parameter managed: whether the target's row (when there is one) is scimsync's.
    public func decide(
        _ step: MergeStep<DirectoryEntry, DirectoryEntry>, kind: ResourceKind, managed: Bool,
        report: inout DriftReport
    ) -> Decision {
        let name = kind.rawValue
        switch step {
        case .source(let entry):
            report.note(Difference(resource: name, id: entry.id, change: "missing in target"))
            return Decision(ops: [.create(kind, entry.resource)], created: true)
        case .target(let entry):
            guard managed else {
                report.unmanaged[name, default: 0] += 1
                report.note(Difference(resource: name, id: entry.id, change: "not in source", managed: false))
                return Decision()
            }
            if kind == .user, onDelete == .deactivate, targetMapsActive {
                guard users.active(in: entry.resource) != false else { return Decision() }
                report.note(Difference(resource: name, id: entry.id, change: "not in source", attribute: "active",
                    source: "false", target: "true"))
                return Decision(ops: [.deactivate(userID: entry.id)])
            }
            report.note(Difference(resource: name, id: entry.id, change: "not in source"))
            return Decision(ops: [.delete(kind, id: entry.id)], removed: true)
        case .both(let source, let target):
            let mapper = kind == .user ? users : (groups ?? users)
            let drift = mapper.drift(of: target.resource, from: source.resource)
            var ops: [ResourceOp] = []
            if !drift.operations.isEmpty { ops.append(.patch(kind, id: source.id, drift.operations)) }
            var activeChange: (from: Bool?, to: Bool)?
            if kind == .user, targetMapsActive {
                let wanted = mapper.mapsActive ? drift.active : nil
                let current = users.active(in: target.resource)
                if let wanted {
                    activeChange = (current, wanted)
                } else if !mapper.mapsActive, onDelete == .deactivate, current == false {
                    // The source does not say; scimsync deactivated this user and the user is back.
                    activeChange = (false, true)
                }
            }
            if let activeChange {
                ops.append(activeChange.to ? .reactivate(userID: source.id) : .deactivate(userID: source.id))
            }
            guard !ops.isEmpty else { return Decision() }
            let isManaged = managed || adopt
            if !isManaged { report.unmanaged[name, default: 0] += 1 }
            for attribute in drift.attributes {
                report.note(Difference(
                    resource: name, id: source.id, change: "attribute", attribute: attribute.path,
                    source: attribute.source.reportText, target: attribute.target.reportText, managed: isManaged))
            }
            if let activeChange, !drift.attributes.contains(where: { $0.path.caseInsensitiveEquals("active") }) {
                report.note(Difference(
                    resource: name, id: source.id, change: activeChange.to ? "inactive in target" : "attribute",
                    attribute: "active", source: String(activeChange.to),
                    target: activeChange.from.map { String($0) }, managed: isManaged))
            }
            return isManaged ? Decision(ops: ops, adopted: !managed) : Decision()
        }
    }

    /// Whether a user or group both sides have calls for nothing, found without working out
    /// its drift: the two resources are equal (so is every attribute both sides map). False
    /// when that cannot tell (a user inactive in the target may be one to reactivate); then
    /// ``decide(_:kind:managed:report:)`` tells.
    public func isUnchanged(_ source: DirectoryEntry, _ target: DirectoryEntry, kind: ResourceKind) -> Bool {
        if kind == .user, targetMapsActive, !users.mapsActive, onDelete == .deactivate { return false }
        return source.resource == target.resource
    }

    /// The decision for a group whose parent may differ (both sides have the group).
    public func decideParent(
        groupID: String, source: String?, target: String?, managed: Bool, report: inout DriftReport
    ) -> Decision {
        guard compareParents, source != target else { return Decision() }
        let isManaged = managed || adopt
        if !isManaged { report.unmanaged["Group", default: 0] += 1 }
        report.note(Difference(
            resource: "Group", id: groupID, change: "parent", attribute: "parent", source: source, target: target,
            managed: isManaged))
        return isManaged ? Decision(ops: [.moveParent(groupID: groupID, parentID: source)], adopted: !managed) : Decision()
    }

    /// The decision for a membership on one side only.
    /// - Parameter managed: whether the membership's user is scimsync's.
    public func decideMembership(
        _ membership: Membership, inSource: Bool, managed: Bool, report: inout DriftReport
    ) -> Decision {
        let isManaged = managed
        if !isManaged { report.unmanaged["Membership", default: 0] += 1 }
        report.note(Difference(
            resource: "Membership", id: "user \(membership.userID) in group \(membership.groupID)",
            change: inSource ? "missing membership" : "extra membership", managed: isManaged))
        guard isManaged else { return Decision() }
        return Decision(ops: [
            inSource
                ? .addMember(groupID: membership.groupID, userID: membership.userID)
                : .removeMember(groupID: membership.groupID, userID: membership.userID)
        ])
    }
}

/// The operations one step calls for, and how it changes the ownership ledger.
public struct Decision: Sendable, Hashable {
    public var ops: [ResourceOp] = []
    /// The resource is created by these ops: it joins the ledger.
    public var created = false
    /// The resource is deleted by these ops: it leaves the ledger.
    public var removed = false
    /// A target row that was not scimsync's is taken over (`adopt: true`): it joins the ledger.
    public var adopted = false

    public init(ops: [ResourceOp] = [], created: Bool = false, removed: Bool = false, adopted: Bool = false) {
        self.ops = ops
        self.created = created
        self.removed = removed
        self.adopted = adopted
    }
}

extension SCIMValue {
    /// The value as a report line shows it: strings bare, everything else as JSON.
    var reportText: String? {
        switch self {
        case .null: nil
        case .string(let text): text
        default: jsonString()
        }
    }
}
