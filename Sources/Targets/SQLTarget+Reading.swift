import Directory
import SCIM

/// What reconciliation reads of a target: its users, groups and memberships in id order, a
/// chunk at a time (keyset pagination: each chunk starts after the previous chunk's last key,
/// so memory holds one chunk whatever the table's size).
public enum TargetScan: Sendable, Hashable {
    /// The users table: mapped columns and `users.group` when the layout has it.
    case users
    /// The groups table: mapped columns and the parent column.
    case groups
    /// (user, group) pairs ordered by user then group, from the relation table or, without
    /// one, from the users table's group column (users without a group left out).
    case memberships
}

extension SQLTarget {
    /// The type of the id column that orders `scan` (users or groups id; for memberships the
    /// user column's).
    public func idType(of scan: TargetScan) throws(TargetError) -> ColumnType {
        switch scan {
        case .users, .memberships:
            if scan == .memberships, let relation, let membership = layout.membership {
                return relation.idType(membership.user)
            }
            return users.columnTypes[users.mapper.idColumn] ?? users.table.idType(users.mapper.idColumn)
        case .groups:
            guard let groups else { throw TargetError(.unsupported(.createGroup, needs: "groups table")) }
            return groups.columnTypes[groups.mapper.idColumn] ?? groups.table.idType(groups.mapper.idColumn)
        }
    }

    /// The next chunk of `scan` after `lastKey` (nil: the first chunk), at most `limit` rows,
    /// with the layout's column names as the row's column names.
    ///
    /// For ``TargetScan/memberships`` the rows have two columns, the layout's relation user and
    /// group columns (or the users id and group columns); `lastKey` is the last row's pair.
    ///
    /// With `keyLength`, only rows whose first key column has that many characters: a target
    /// that keeps integer ids as text is read in integer order one id length at a time, each
    /// length in text order (which for digits without leading zeros is their numeric order),
    /// walking the key's index, never sorting the table.
    public func readChunk(_ scan: TargetScan, after lastKey: [SQLValue]?, limit: Int, keyLength: Int? = nil)
        throws(TargetError) -> [Row]
    {
        let (table, columns, keys, filter) = try scanShape(scan)
        var builder = StatementBuilder(dialect)
        let select = columns.map { "\(dialect.quote(table.column($0))) AS \(dialect.quote($0))" }
        builder.append("SELECT \(select.joined(separator: ", ")) FROM \(dialect.table(table.name))")
        var clause = " WHERE "
        if let filter {
            builder.append(clause + "\(dialect.quote(table.column(filter))) IS NOT NULL")
            clause = " AND "
        }
        if let keyLength {
            builder.append(clause + "\(dialect.lengthFunction)(\(dialect.quote(table.column(keys[0])))) = ")
            builder.bind(.int(Int64(keyLength)))
            clause = " AND "
        }
        if let lastKey {
            // (k1, k2) > (a, b) written out, which every dialect's planner turns into an index range.
            builder.append(clause + "((")
            for index in keys.indices {
                if index > 0 { builder.append(") OR (") }
                for earlier in 0..<index {
                    builder.append(orderExpression(table, keys[earlier]) + " = ")
                    builder.bind(lastKey[earlier])
                    builder.append(" AND ")
                }
                builder.append(orderExpression(table, keys[index]) + " > ")
                builder.bind(lastKey[index])
            }
            builder.append("))")
        }
        builder.append(" ORDER BY " + keys.map { orderExpression(table, $0) }.joined(separator: ", "))
        builder.append(dialect.limitClause(max(limit, 1)))
        let statement = builder.statement
        do {
            return try connection.query(statement.sql, statement.parameters)
        } catch {
            throw TargetError(.read(table: table.name), underlying: error)
        }
    }

    /// The table, the columns to read, the key columns and the column that must not be NULL.
    private func scanShape(_ scan: TargetScan) throws(TargetError)
        -> (TargetTable, [String], [String], String?)
    {
        switch scan {
        case .users:
            return (users.table, users.columns + (layout.users.group.map { [$0] } ?? []), [users.mapper.idColumn], nil)
        case .groups:
            guard let groups else { throw TargetError(.unsupported(.createGroup, needs: "groups table")) }
            let parent = layout.groups?.parent.map { [$0] } ?? []
            return (groups.table, groups.columns + parent, [groups.mapper.idColumn], nil)
        case .memberships:
            if let relation, let membership = layout.membership {
                let pair = [membership.user, membership.group]
                return (relation, pair, pair, nil)
            }
            guard let group = layout.users.group else {
                throw TargetError(.unsupported(.addMember, needs: "membership table or users.group column"))
            }
            return (users.table, [users.mapper.idColumn, group], [users.mapper.idColumn], group)
        }
    }

    /// A key column as ORDER BY and the keyset condition use it: PostgreSQL text in byte
    /// order (`COLLATE "C"`), the order reconciliation merges in; elsewhere the column.
    private func orderExpression(_ table: TargetTable, _ column: String) -> String {
        let quoted = dialect.quote(table.column(column))
        if case .postgres = dialect, !table.idType(column).isInteger { return quoted + " COLLATE \"C\"" }
        return quoted
    }

    /// Whether the first key column of `scan` holds text (not an integer type).
    public func hasTextKey(_ scan: TargetScan) throws(TargetError) -> Bool {
        let (table, _, keys, _) = try scanShape(scan)
        return !table.idType(keys[0]).isInteger
    }

    /// The smallest length above `length` of the first key column's values in `scan`, or nil.
    public func nextKeyLength(_ scan: TargetScan, above length: Int) throws(TargetError) -> Int? {
        let (table, _, keys, filter) = try scanShape(scan)
        let key = dialect.quote(table.column(keys[0]))
        var builder = StatementBuilder(dialect)
        let lengthOf = dialect.lengthFunction
        builder.append("SELECT MIN(\(lengthOf)(\(key))) AS n FROM \(dialect.table(table.name)) WHERE \(lengthOf)(\(key)) > ")
        builder.bind(.int(Int64(length)))
        if let filter { builder.append(" AND \(dialect.quote(table.column(filter))) IS NOT NULL") }
        let statement = builder.statement
        let rows: [Row]
        do {
            rows = try connection.query(statement.sql, statement.parameters)
        } catch {
            throw TargetError(.read(table: table.name), underlying: error)
        }
        switch rows.first?.values.first {
        case .int(let value)?: return Int(value)
        case .uint(let value)?: return Int(value)
        case .text(let text)?, .decimal(let text)?: return Int(text)
        default: return nil
        }
    }
}

extension SQLTarget {
    /// `values` with the last repeated up to the next power of two (a repeated key changes
    /// nothing in an `IN` list). MariaDB's statements are prepared by their text and kept
    /// for the next call with the same text: padded, the stream's lookups of a few keys to a
    /// thousand take one of 11 texts, not one per count, so that each costs one round trip
    /// instead of a PREPARE besides, and does not push the batch's own statements out.
    static func paddedToPowerOfTwo(_ values: [SQLValue]) -> [SQLValue] {
        guard let last = values.last else { return values }
        var size = 1
        while size < values.count { size *= 2 }
        return values + repeatElement(last, count: size - values.count)
    }

    /// Which of `ids` the users (or groups) table holds.
    public func existingIDs(_ ids: [String], of scan: TargetScan) throws(TargetError) -> Set<String> {
        let table: MappedTable
        switch scan {
        case .users, .memberships: table = users
        case .groups:
            guard let groups else { return [] }
            table = groups
        }
        var found: Set<String> = []
        for chunk in ids.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1)) {
            var values: [SQLValue] = []
            for id in chunk {
                // An id the column cannot hold (text in an integer column) is not there.
                if let value = try? table.idValue(id) { values.append(value) }
            }
            guard !values.isEmpty else { continue }
            if case .mariaDB = dialect { values = Self.paddedToPowerOfTwo(values) }
            let statement = dialect.select(
                [table.idColumn], from: table.table.name, where: table.idColumn, in: values,
                keyType: table.table.arrayTypes(of: [table.idColumn])?.first)
            let rows: [Row]
            do {
                rows = try connection.query(statement.sql, statement.parameters)
            } catch {
                throw TargetError(.read(table: table.table.name), underlying: error)
            }
            for row in rows {
                if let value = row.values.first, let id = try? table.mapper.id(in: Row(columns: [table.mapper.idColumn], values: [value])) {
                    found.insert(id)
                }
            }
        }
        return found
    }
}
