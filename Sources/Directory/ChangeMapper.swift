import SCIM

/// What happens at the target when a user disappears from the source.
public enum DeletePolicy: String, Sendable, Hashable, CaseIterable {
    /// Delete the user.
    case delete
    /// Set SCIM `active` to false (the "block" of batch feeds); a user that comes back is
    /// re-activated by its next change.
    case deactivate
}

/// Turns row changes of a source layout into target operations (DESIGN.md: "row change →
/// SCIM operations").
///
/// - users: insert → create (+ addMember when `users.group` is set); update → a patch of the
///   changed attributes, deactivate/reactivate when `active` changed, removeMember + addMember
///   when `users.group` changed; delete → by ``DeletePolicy``, delete (after removeMember
///   when `users.group` is set) or deactivate.
/// - groups: insert → create (+ moveParent when the parent is set); update → patch, +
///   moveParent when the parent changed; delete → delete.
/// - membership rows: insert → addMember; update → removeMember + addMember; delete →
///   removeMember.
/// - An update that changes the id (the primary key) is a delete of the old resource (also
///   for users under `deactivate`: a renumbered user did not leave) and a create of the new one.
/// - A group's parent travels as its own `moveParent` op, never inside `create`: targets then
///   create every group the same way and link parents once both groups exist, which
///   ``ResourceOp/ordered(_:)`` arranges.
/// - Changes to tables the layout does not name, and updates that change no mapped column,
///   produce no operations.
/// - An update's after image may lack columns (MySQL `binlog_row_image=MINIMAL` logs only
///   changed ones): missing columns are taken from the before image, i.e. unchanged.
/// - The rows present decide the case, not ``RowChange/kind``: an update without a before
///   image is handled as an insert (create is an upsert).
public struct ChangeMapper: Sendable, Hashable {
    public var layout: DirectoryLayout {
        didSet { (userMapper, groupMapper) = (layout.userMapper, layout.groupMapper) }
    }
    public var onDelete: DeletePolicy
    // Built once, not per change: a mapper resolves its attribute map when it is made.
    private(set) var userMapper: RowMapper
    private(set) var groupMapper: RowMapper?

    public init(layout: DirectoryLayout, onDelete: DeletePolicy = .delete) {
        self.layout = layout
        self.onDelete = onDelete
        userMapper = layout.userMapper
        groupMapper = layout.groupMapper
    }

    /// The operations for one source transaction (or several, group-committed), folded
    /// (``ResourceOp/coalesced(_:)``) and in apply order (``ResourceOp/ordered(_:)``).
    public func ops(for batch: ChangeBatch) throws(RowMappingError) -> [ResourceOp] {
        // Into one array: an array per change was an allocation per change.
        var ops: [ResourceOp] = []
        ops.reserveCapacity(batch.changes.count)
        for change in batch.changes { try appendOps(for: change, to: &ops) }
        return ResourceOp.ordered(ResourceOp.coalesced(ops))
    }

    /// The operations for one row change, in the order the change implies.
    public func ops(for change: RowChange) throws(RowMappingError) -> [ResourceOp] {
        var ops: [ResourceOp] = []
        try appendOps(for: change, to: &ops)
        return ops
    }

    private func appendOps(for change: RowChange, to ops: inout [ResourceOp]) throws(RowMappingError) {
        if Self.names(layout.users.table, change.table) {
            try appendUserOps(before: change.before, after: change.after, to: &ops)
        } else if let groups = layout.groups, Self.names(groups.table, change.table) {
            try appendGroupOps(before: change.before, after: change.after, to: &ops)
        } else if let membership = layout.membership, Self.names(membership.table, change.table) {
            ops += try membershipOps(before: change.before, after: change.after)
        }
    }

    /// Whether a change's table is the layout's table: the same name ignoring case, or the
    /// layout's `schema.table` ending in it (changes carry no database qualifier).
    static func names(_ layoutTable: String, _ changeTable: String) -> Bool {
        if layoutTable.caseInsensitiveEquals(changeTable) { return true }
        // On UTF-8 bytes: a Character search runs for every row change, and `.` is ASCII, so
        // the byte after it starts a character.
        guard let dot = layoutTable.utf8.lastIndex(of: UInt8(ascii: ".")) else { return false }
        return layoutTable[layoutTable.utf8.index(after: dot)...].caseInsensitiveEquals(changeTable)
    }

    // MARK: Users

    private func appendUserOps(before: Row?, after: Row?, to ops: inout [ResourceOp]) throws(RowMappingError) {
        let mapper = userMapper
        switch (before, after) {
        case (nil, nil):
            return
        case (nil, let after?):
            ops.append(.create(.user, try mapper.resource(from: after)))
            if let membership = try layout.membership(inUsersRow: after) { ops.append(membership.addOp) }
        case (let before?, nil):
            ops += try userRemovalOps(before, policy: onDelete)
        case (let before?, let after?):
            let after = after.filling(from: before)
            let id = try mapper.id(in: after)
            guard try mapper.id(in: before) == id else {
                // A new id is the same person renumbered, not one who left: the old resource
                // is deleted whatever the policy (an id update is a delete and a
                // create). Deactivating it would keep its userName, which the new resource
                // carries too, and a target with a unique login column would refuse the create.
                ops += try userRemovalOps(before, policy: .delete)
                try appendUserOps(before: nil, after: after, to: &ops)
                return
            }
            let diff = try AttributeDiff(mapper: mapper, before: before, after: after)
            if !diff.operations.isEmpty { ops.append(.patch(.user, id: id, diff.operations)) }
            switch diff.active {
            case true?: ops.append(.reactivate(userID: id))
            case false?: ops.append(.deactivate(userID: id))
            case nil: break
            }
            let old = try layout.membership(inUsersRow: before)
            let new = try layout.membership(inUsersRow: after)
            if old != new {
                if let old { ops.append(old.removeOp) }
                if let new { ops.append(new.addOp) }
            }
        }
    }

    /// A user leaving: deleted (after its `users.group` membership) or deactivated.
    private func userRemovalOps(_ before: Row, policy: DeletePolicy) throws(RowMappingError) -> [ResourceOp] {
        let id = try userMapper.id(in: before)
        switch policy {
        case .delete:
            let removal = try layout.membership(inUsersRow: before).map(\.removeOp)
            return (removal.map { [$0] } ?? []) + [.delete(.user, id: id)]
        case .deactivate:
            return [.deactivate(userID: id)]
        }
    }

    // MARK: Groups

    private func appendGroupOps(before: Row?, after: Row?, to ops: inout [ResourceOp]) throws(RowMappingError) {
        guard let mapper = groupMapper else { return }
        switch (before, after) {
        case (nil, nil):
            return
        case (nil, let after?):
            let resource = try mapper.resource(from: after)
            ops.append(.create(.group, resource))
            if let parent = try layout.parentID(inGroupsRow: after) {
                ops.append(.moveParent(groupID: try mapper.id(in: after), parentID: parent))
            }
        case (let before?, nil):
            ops.append(.delete(.group, id: try mapper.id(in: before)))
        case (let before?, let after?):
            let after = after.filling(from: before)
            let id = try mapper.id(in: after)
            guard try mapper.id(in: before) == id else {
                try appendGroupOps(before: before, after: nil, to: &ops)
                try appendGroupOps(before: nil, after: after, to: &ops)
                return
            }
            let diff = try AttributeDiff(mapper: mapper, before: before, after: after)
            if !diff.operations.isEmpty { ops.append(.patch(.group, id: id, diff.operations)) }
            let newParent = try layout.parentID(inGroupsRow: after)
            if try layout.parentID(inGroupsRow: before) != newParent {
                ops.append(.moveParent(groupID: id, parentID: newParent))
            }
        }
    }

    // MARK: Membership

    private func membershipOps(before: Row?, after: Row?) throws(RowMappingError) -> [ResourceOp] {
        let old = try before.flatMap { row throws(RowMappingError) in try layout.membership(inRelationRow: row) }
        let new = try after.map { $0.filling(from: before) }.flatMap { row throws(RowMappingError) in
            try layout.membership(inRelationRow: row)
        }
        guard old != new else { return [] }
        return (old.map { [$0.removeOp] } ?? []) + (new.map { [$0.addOp] } ?? [])
    }
}

extension Row {
    /// This row with the columns it lacks taken from `other` (a partial after image completed
    /// by its before image).
    func filling(from other: Row?) -> Row {
        // The images of one rows event share their column list: nothing to fill.
        guard let other, other.columns != columns else { return self }
        var filled = self
        for (column, value) in zip(other.columns, other.values) where index(of: column) == nil {
            filled.columns.append(column)
            filled.values.append(value)
        }
        return filled
    }
}
