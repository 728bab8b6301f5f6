import SCIM

extension ChangeMapper {
    /// The operations for an update known only by the row after it and the columns it set, as
    /// SQL Server change tracking reports one: `CHANGETABLE(CHANGES ...)` carries no before
    /// image, only `SYS_CHANGE_COLUMNS` ("a list of the columns that changed since the
    /// last_sync_version"; NULL when "all columns" changed), so each changed mapped attribute
    /// is set to its value now, and nothing else is touched.
    ///
    /// - Parameters:
    ///   - table: the table as the change names it.
    ///   - row: the row's values now (the key and every column the layout maps).
    ///   - changedColumns: the columns the update set; nil for all of them.
    /// - Returns: for users, a patch of the changed attributes and a deactivate or reactivate
    ///   when `active` was set; for groups, a patch and a parent move when the parent column
    ///   was set; for relation rows nothing (their columns are the key, and an update of a key
    ///   is a delete and an insert in change tracking). A change of `users.group` yields the
    ///   new membership's addition only: the old group is not known (see
    ///   ``changesMembershipColumn(table:changedColumns:)``).
    public func ops(forUpdateOf table: String, row: Row, changedColumns: [String]?) throws(RowMappingError) -> [ResourceOp] {
        let changed = changedColumns.map { Set($0.map { $0.lowercased() }) }
        func isChanged(_ column: String) -> Bool { changed?.contains(column.lowercased()) ?? true }
        if Self.names(layout.users.table, table) {
            let mapper = userMapper
            let id = try mapper.id(in: row)
            let diff = AttributeDiff(mapper: mapper, current: try mapper.resource(from: row), isChanged: isChanged)
            var ops: [ResourceOp] = diff.operations.isEmpty ? [] : [.patch(.user, id: id, diff.operations)]
            switch diff.active {
            case true?: ops.append(.reactivate(userID: id))
            case false?: ops.append(.deactivate(userID: id))
            case nil: break
            }
            if let group = layout.users.group, isChanged(group), let membership = try layout.membership(inUsersRow: row) {
                ops.append(membership.addOp)
            }
            return ops
        }
        if let groups = layout.groups, Self.names(groups.table, table), let mapper = groupMapper {
            let id = try mapper.id(in: row)
            let diff = AttributeDiff(mapper: mapper, current: try mapper.resource(from: row), isChanged: isChanged)
            var ops: [ResourceOp] = diff.operations.isEmpty ? [] : [.patch(.group, id: id, diff.operations)]
            if let parent = groups.parent, isChanged(parent) {
                ops.append(.moveParent(groupID: id, parentID: try layout.parentID(inGroupsRow: row)))
            }
            return ops
        }
        return []
    }

    /// Whether an update of `table` that set `changedColumns` (nil: all) moved a user to
    /// another group through the users table's group column (`users.group`): the membership it
    /// left cannot be named without a before image, so the caller must compare memberships
    /// with the source.
    public func changesMembershipColumn(table: String, changedColumns: [String]?) -> Bool {
        guard let group = layout.users.group, Self.names(layout.users.table, table) else { return false }
        return changedColumns.map { $0.contains { $0.caseInsensitiveEquals(group) } } ?? true
    }
}

extension AttributeDiff {
    /// The operations that set the attributes of the changed columns to their values in
    /// `current`, the previous values being unknown.
    ///
    /// - A plain attribute is `replace`d, or `remove`d when its column is NULL now.
    /// - An element of a multi-valued attribute (`emails[type eq "work"].value`) whose columns
    ///   are all NULL now is removed through its filter. Otherwise each changed sub-attribute is
    ///   set with `add` through the filter (`add` of `emails[type eq "work"].value`), which sets
    ///   it in the matching element, or creates the element from the filter when none matches
    ///   (the form Entra ID sends; `replace` through a filter that matches nothing fails with
    ///   `noTarget`, RFC 7644 §3.5.2.3, and whether the element existed is not known), or
    ///   removed through the filter when NULL (a removal that matches nothing changes nothing).
    /// - `active` is reported in ``active`` (a deactivate or reactivate op), never patched.
    init(mapper: RowMapper, current: SCIMResource, isChanged: (String) -> Bool) {
        var donePaths: Set<AttributePath> = []
        var doneElements: Set<ElementGroup> = []
        for entry in mapper.attributes.entries where !entry.path.isID {
            let path = entry.path.normalized
            if let group = ElementGroup(path) {
                guard doneElements.insert(group).inserted else { continue }
                setElement(group, mapper: mapper, current: current, isChanged: isChanged)
            } else {
                let columns = mapper.attributes.entries.filter { $0.path.normalized == path }.map(\.column)
                guard columns.contains(where: isChanged), donePaths.insert(path).inserted else { continue }
                let now = mapper.lookup(path, in: current)
                if mapper.kind == .user, path.isCore, path.subAttribute == nil, path.attribute.caseInsensitiveEquals("active") {
                    if case .bool(let flag) = now { active = flag }
                } else if now.isNull {
                    operations.append(PatchOperation(op: .remove, path: path))
                } else {
                    operations.append(PatchOperation(op: .replace, path: path, value: now))
                }
            }
        }
    }

    private mutating func setElement(
        _ group: ElementGroup, mapper: RowMapper, current: SCIMResource, isChanged: (String) -> Bool
    ) {
        var subs: [(name: String, changed: Bool)] = []
        for entry in mapper.attributes.entries {
            let path = entry.path.normalized
            guard ElementGroup(path) == group, let sub = path.subAttribute else { continue }
            if let index = subs.firstIndex(where: { $0.name.caseInsensitiveEquals(sub) }) {
                subs[index].changed = subs[index].changed || isChanged(entry.column)
            } else {
                subs.append((sub, isChanged(entry.column)))
            }
        }
        guard subs.contains(where: \.changed) else { return }
        let now = subs.map { mapper.lookup(group.path(subAttribute: $0.name), in: current) }
        if now.allSatisfy(\.isNull) {
            operations.append(PatchOperation(op: .remove, path: group.path(subAttribute: nil)))
            return
        }
        for (sub, value) in zip(subs, now) where sub.changed {
            let path = group.path(subAttribute: sub.name)
            operations.append(value.isNull ? PatchOperation(op: .remove, path: path) : PatchOperation(op: .add, path: path, value: value))
        }
    }
}
