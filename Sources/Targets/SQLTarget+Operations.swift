import Directory
import SCIM

// How each kind of operation becomes statements on the target's layout.
extension SQLTarget {
    /// Upserts the resources' rows by id, in chunks that respect the parameter limit.
    func create(_ resources: [SCIMResource], table: MappedTable, kind: TargetOperation, result: inout ApplyResult)
        throws(TargetError)
    {
        let name = table.table.name
        var rows: [Row] = []
        for resource in resources {
            let row = try mapping(kind, name) { () throws(RowMappingError) in
                try table.mapper.row(from: resource, columnTypes: table.rowColumnTypes)
            }
            rows.append(try withColumnDefaults(row, table: table, kind: kind, result: &result))
        }
        guard let columns = rows.first?.columns.map(table.table.column) else { return }
        let idIndex = rows[0].columns.firstIndex { $0.caseInsensitiveEquals(table.mapper.idColumn) }
        let columnTypes = table.table.arrayTypes(of: columns)
        for chunk in rows.chunks(of: dialect.rowsPerStatement(columnsPerRow: columns.count)) {
            let statement = dialect.upsert(
                table: name, columns: columns, key: table.idColumn, rows: chunk.map(\.values),
                binaryColumns: table.binaryColumns, columnTypes: columnTypes)
            try execute(statement, kind, name, &result)
            if case .mariaDB = dialect, table.hasOtherUniqueKey, let idIndex {
                // A clash on another UNIQUE key left the row holding it alone and inserted
                // nothing (see `SQLDialect.upsert`): every id must be there now.
                let ids = chunk.map { $0.values[idIndex] }
                let counted = try query(dialect.count(from: name, where: table.idColumn, in: ids), kind, name, &result)
                let count: Int? =
                    switch counted.first?.values.first {
                    case .int(let number)?: Int(number)
                    case .uint(let number)?: Int(number)
                    case .text(let text)?: Int(text)
                    default: nil
                    }
                if let count, count < ids.count {
                    throw TargetError(uniqueConflictOf: kind, table: name)
                }
            }
        }
    }

    /// Reads the rows, applies each resource's PATCH operations and writes back the mapped
    /// columns whose values changed. The ids must be distinct. A missing row is quarantined:
    /// the source has the resource (it changed), the target does not (deleted there, or its
    /// creation was refused), and a PATCH cannot make it whole; a reconciliation creates it.
    func patch(
        _ patches: [(id: String, operations: [PatchOperation])], table: MappedTable, kind: TargetOperation,
        result: inout ApplyResult
    ) throws(TargetError) {
        let name = table.table.name
        var idValues: [SQLValue] = []
        for patch in patches {
            idValues.append(try mapping(kind, name) { () throws(RowMappingError) in try table.idValue(patch.id) })
        }
        let columns = table.columns.map(table.table.column)
        var stored: [String: Row] = [:]
        for chunk in idValues.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1)) {
            let read = dialect.select(columns, from: name, where: table.idColumn, in: Array(chunk))
            for row in try query(read, kind, name, &result) {
                let id = try mapping(kind, name) { () throws(RowMappingError) in try table.mapper.id(in: row) }
                stored[id] = row
            }
        }
        for (patch, idValue) in zip(patches, idValues) {
            // The database may match ids the text does not (a case-insensitive collation).
            guard let row = stored[patch.id] ?? stored.first(where: { $0.key.caseInsensitiveEquals(patch.id) })?.value
            else {
                result.skippedPatches += 1
                let resourceKind: ResourceKind = kind == .patchGroup ? .group : .user
                result.quarantined.append(
                    QuarantinedOp(
                        operation: kind, subject: QuarantineSubject(resourceKind, patch.id), table: name, column: nil,
                        reason: .missingRow, op: .patch(resourceKind, id: patch.id, patch.operations)))
                continue
            }
            try applyPatch(to: row, idValue: idValue, patch.operations, table: table, kind: kind, result: &result)
        }
    }

    private func applyPatch(
        to row: Row, idValue: SQLValue, _ operations: [PatchOperation], table: MappedTable, kind: TargetOperation,
        result: inout ApplyResult
    ) throws(TargetError) {
        let name = table.table.name
        let assignments = try patchAssignments(to: row, operations, table: table, kind: kind, result: &result)
        guard !assignments.isEmpty else { return }
        try execute(
            dialect.update(name, set: assignments, where: table.idColumn, in: [idValue], binaryColumns: table.binaryColumns),
            kind, name, &result)
    }

    /// The columns of the stored `row` whose values the PATCH operations change, with their
    /// new values (catalog spelling).
    func patchAssignments(
        to row: Row, _ operations: [PatchOperation], table: MappedTable, kind: TargetOperation,
        result: inout ApplyResult
    ) throws(TargetError) -> [(column: String, value: SQLValue)] {
        let name = table.table.name
        let current = try mapping(kind, name) { () throws(RowMappingError) in try table.mapper.resource(from: row) }
        let patched: SCIMResource
        do {
            patched = try current.applying(operations)
        } catch {
            throw TargetError(.patch(kind, table: name, status: error.status, scimType: error.scimType?.rawValue))
        }
        // Both sides go through the same mapping, so a value the column stores in another
        // form than the mapper writes does not count as a change.
        let (before, after) = try mapping(kind, name) { () throws(RowMappingError) in
            (
                try table.mapper.row(from: current, columnTypes: table.rowColumnTypes),
                try table.mapper.row(from: patched, columnTypes: table.rowColumnTypes)
            )
        }
        return changedColumns(
            from: before, to: try withColumnDefaults(after, table: table, kind: kind, result: &result), table: table)
    }

    /// The columns whose values differ between two mapped rows of `table`, the id excepted.
    func changedColumns(from before: Row, to after: Row, table: MappedTable) -> [(column: String, value: SQLValue)] {
        var assignments: [(column: String, value: SQLValue)] = []
        for (index, column) in after.columns.enumerated()
        where !column.caseInsensitiveEquals(table.mapper.idColumn) && before.values[index] != after.values[index] {
            assignments.append((table.table.column(column), after.values[index]))
        }
        return assignments
    }

    /// Deletes users that are present, after their rows in the relation table (a
    /// `users.group` layout keeps membership on the user's own row).
    func deleteUsers(_ ids: [String], result: inout ApplyResult) throws(TargetError) {
        let kind = TargetOperation.deleteUser
        if let relation, let membership = layout.membership {
            let type = relation.idType(membership.user)
            var values: [SQLValue] = []
            for id in ids {
                values.append(try mapping(kind, relation.name) { () throws(RowMappingError) in
                    try relation.idValue(id, column: membership.user, type: type)
                })
            }
            let keyType = relation.castableType(membership.user)
            for chunk in values.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1)) {
                let statement = dialect.delete(
                    from: relation.name, where: relation.column(membership.user), in: Array(chunk), keyType: keyType)
                try execute(statement, kind, relation.name, &result)
            }
        }
        var values: [SQLValue] = []
        for id in ids {
            values.append(try mapping(kind, users.table.name) { () throws(RowMappingError) in try users.idValue(id) })
        }
        let keyType = users.table.castableType(users.idColumn)
        for chunk in values.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1)) {
            let statement = dialect.delete(from: users.table.name, where: users.idColumn, in: Array(chunk), keyType: keyType)
            try execute(statement, kind, users.table.name, &result)
        }
    }

    /// Sets the column mapped to `active`, converted for its type (native boolean, 0/1, BIT(1),
    /// `Y`/`N`).
    func setActive(_ active: Bool, userIDs: [String], kind: TargetOperation, result: inout ApplyResult)
        throws(TargetError)
    {
        let name = users.table.name
        guard let column = users.activeColumn else {
            throw TargetError(.unsupported(kind, needs: "users column mapped to `active`"))
        }
        let value = try mapping(kind, name) { () throws(RowMappingError) in
            do throws(ValueConversionError) {
                return try SCIMValue.bool(active).sqlValue(
                    for: users.columnTypes[column] ?? .boolean(.native), attributeType: .boolean, column: column,
                    zone: layout.timeZone)
            } catch {
                throw .value(table: name, error)
            }
        }
        var ids: [SQLValue] = []
        for id in userIDs {
            ids.append(try mapping(kind, name) { () throws(RowMappingError) in try users.idValue(id) })
        }
        // One parameter for the value, the rest for ids.
        let keyType = users.table.castableType(users.idColumn)
        for chunk in ids.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1) - 1) {
            let statement = dialect.update(
                name, set: [(users.table.column(column), value)], where: users.idColumn, in: Array(chunk),
                keyType: keyType)
            try execute(statement, kind, name, &result)
        }
    }

    /// Adds memberships that are absent or removes those present: rows of the relation table,
    /// or the user's group column in a `users.group` layout, which a removal clears only while
    /// it still names that group (a later move must not be undone by an old removal).
    func changeMembership(add: Bool, _ memberships: [Membership], kind: TargetOperation, result: inout ApplyResult)
        throws(TargetError)
    {
        if let relation, let table = layout.membership {
            let userType = relation.idType(table.user)
            let groupType = relation.idType(table.group)
            var pairs: [(SQLValue, SQLValue)] = []
            for membership in memberships {
                pairs.append(try mapping(kind, relation.name) { () throws(RowMappingError) in
                    (
                        try relation.idValue(membership.userID, column: table.user, type: userType),
                        try relation.idValue(membership.groupID, column: table.group, type: groupType)
                    )
                })
            }
            let columns = [relation.column(table.user), relation.column(table.group)]
            let columnTypes = relation.arrayTypes(of: columns)
            // A removal is an OR of pairs, and SQLite refuses an expression deeper than 1000
            // ("Expression tree is too large"): half that many pairs per statement.
            let perStatement = add ? dialect.rowsPerStatement(columnsPerRow: 2) : min(dialect.rowsPerStatement(columnsPerRow: 2), SQLDialect.maxOrTerms)
            for chunk in pairs.chunks(of: perStatement) {
                let statement = add
                    ? dialect.insertIfAbsent(
                        table: relation.name, columns: columns, rows: chunk.map { [$0.0, $0.1] }, columnTypes: columnTypes)
                    : dialect.delete(
                        from: relation.name, where: columns[0], columns[1], in: Array(chunk), keyTypes: columnTypes)
                try execute(statement, kind, relation.name, &result)
            }
            return
        }
        guard let groupColumn = layout.users.group else {
            throw TargetError(.unsupported(kind, needs: "membership table or users.group column"))
        }
        let name = users.table.name
        let groupType = users.table.idType(groupColumn)
        for membership in memberships {
            let (user, group) = try mapping(kind, name) { () throws(RowMappingError) in
                (
                    try users.idValue(membership.userID),
                    try users.table.idValue(membership.groupID, column: groupColumn, type: groupType)
                )
            }
            let column = users.table.column(groupColumn)
            let statement = add
                ? dialect.update(name, set: [(column, group)], where: users.idColumn, in: [user])
                : dialect.update(
                    name, set: [(column, .null)], where: users.idColumn, in: [user], andWhere: (column, group))
            try execute(statement, kind, name, &result)
        }
    }

    /// Deletes a group after what still points at it: its relation rows (or the users' group
    /// column) and its children's parent column. The source's own foreign-key actions
    /// (ON DELETE CASCADE / SET NULL) are not in the binlog, so the target does what a SET NULL
    /// would; reconciliation repairs the rest.
    func deleteGroup(_ id: String, result: inout ApplyResult) throws(TargetError) {
        let kind = TargetOperation.deleteGroup
        guard let groups else { throw TargetError(.unsupported(kind, needs: "groups table")) }
        let value = try mapping(kind, groups.table.name) { () throws(RowMappingError) in try groups.idValue(id) }
        if let relation, let membership = layout.membership {
            let column = relation.column(membership.group)
            let member = try mapping(kind, relation.name) { () throws(RowMappingError) in
                try relation.idValue(id, column: membership.group, type: relation.idType(membership.group))
            }
            try execute(dialect.delete(from: relation.name, where: column, in: [member]), kind, relation.name, &result)
        }
        if let groupColumn = layout.users.group {
            let member = try mapping(kind, users.table.name) { () throws(RowMappingError) in
                try users.table.idValue(id, column: groupColumn, type: users.table.idType(groupColumn))
            }
            let column = users.table.column(groupColumn)
            try execute(
                dialect.update(users.table.name, set: [(column, .null)], where: column, in: [member]), kind,
                users.table.name, &result)
        }
        if let parentColumn = layout.groups?.parent {
            let parent = try mapping(kind, groups.table.name) { () throws(RowMappingError) in
                try groups.table.idValue(id, column: parentColumn, type: groups.table.idType(parentColumn))
            }
            let column = groups.table.column(parentColumn)
            try execute(
                dialect.update(groups.table.name, set: [(column, .null)], where: column, in: [parent]), kind,
                groups.table.name, &result)
        }
        try execute(dialect.delete(from: groups.table.name, where: groups.idColumn, in: [value]), kind, groups.table.name, &result)
    }

    /// Points each group's parent column at its parent, or NULL for a root: one statement per
    /// chunk of moves. The group ids must be distinct.
    func moveParents(_ moves: [(groupID: String, parentID: String?)], result: inout ApplyResult) throws(TargetError) {
        let kind = TargetOperation.moveParent
        guard let groups, let parentColumn = layout.groups?.parent else {
            throw TargetError(.unsupported(kind, needs: "groups.parent column"))
        }
        let name = groups.table.name
        let parentType = groups.table.idType(parentColumn)
        var pairs: [(key: SQLValue, value: SQLValue)] = []
        for move in moves {
            pairs.append(try mapping(kind, name) { () throws(RowMappingError) in
                (
                    try groups.idValue(move.groupID),
                    try move.parentID.map { id throws(RowMappingError) in
                        try groups.table.idValue(id, column: parentColumn, type: parentType)
                    } ?? .null
                )
            })
        }
        let column = groups.table.column(parentColumn)
        var castType: String?
        if case .postgres = dialect {
            castType = groups.table.castableType(parentColumn)
        }
        // A PostgreSQL column whose type cannot be named in a cast gets one plain UPDATE per move.
        let combinable: Bool = if case .postgres = dialect { castType != nil } else { true }
        // Three parameters a move: WHEN, THEN and IN.
        for chunk in pairs.chunks(of: combinable ? dialect.rowsPerStatement(columnsPerRow: 3) : 1) {
            let statement = chunk.count == 1
                ? dialect.update(name, set: [(column, chunk[chunk.startIndex].value)], where: groups.idColumn,
                    in: [chunk[chunk.startIndex].key])
                : dialect.update(name, set: column, byKey: groups.idColumn, Array(chunk), valueType: castType)
            try execute(statement, kind, name, &result)
        }
    }
}
