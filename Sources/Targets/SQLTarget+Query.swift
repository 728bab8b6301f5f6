import Directory
import SCIM

/// A page of a filtered, sorted list of users or groups (RFC 7644 §3.4.2).
public struct DirectoryQuery: Sendable, Hashable {
    public var filter: Filter?
    /// The attribute to sort by; nil sorts by id, so that pages do not overlap.
    public var sortBy: AttributePath?
    public var descending: Bool
    /// Rows to skip (`startIndex - 1`).
    public var offset: Int
    public var limit: Int
    /// Where a cursor page starts (RFC 9865): the rows after this one in the query's order,
    /// or before it when `backward`. Used instead of `offset`, so that every page costs the
    /// same however deep it is.
    public var keyset: KeysetPosition?

    public init(
        filter: Filter? = nil, sortBy: AttributePath? = nil, descending: Bool = false, offset: Int = 0, limit: Int,
        keyset: KeysetPosition? = nil
    ) {
        self.filter = filter
        self.sortBy = sortBy
        self.descending = descending
        self.offset = offset
        self.limit = limit
        self.keyset = keyset
    }
}

/// A row's place in a sorted list: its sort key as the database compares it (the value of the
/// `ORDER BY` expression, absent when the list is sorted by id alone) and its id.
public struct KeysetPosition: Sendable, Hashable {
    /// The value of the sort expression on the row; `.null` for a row without a value.
    public var sortKey: SQLValue?
    public var id: String
    /// The page wanted is the one before this row, not the one after it.
    public var backward: Bool

    public init(sortKey: SQLValue?, id: String, backward: Bool = false) {
        self.sortKey = sortKey
        self.id = id
        self.backward = backward
    }
}

/// One row of a page: the resource, its group ids when they were asked for, and its position
/// for the cursors of the pages around it.
public struct PageRow: Sendable {
    public var resource: SCIMResource
    public var groupIDs: [String]?
    public var position: KeysetPosition
}

// What the SCIM server reads: filtered pages, single resources and memberships. Resources
// come back as the mapper builds them (no members, groups or meta: the caller adds those it
// needs, so that a list without members never reads a relation row).
extension SQLTarget {
    /// How many users or groups match `filter`.
    ///
    /// - Throws: `SCIMError` (`invalidFilter`) for a filter on an attribute with no column;
    ///   ``TargetError`` when the database fails.
    public func count(_ kind: ResourceKind, matching filter: Filter?) throws -> Int {
        let table = try mappedTable(kind)
        var builder = StatementBuilder(dialect)
        builder.append("SELECT COUNT(*) AS n FROM \(dialect.table(table.table.name)) t")
        try appendWhere(filter, kind: kind, table: table, builder: &builder)
        return Self.count(in: try read(builder.statement, table))
    }

    /// The number a `SELECT COUNT(*)` returned, whatever type the database gave it.
    static func count(in rows: [Row]) -> Int {
        switch rows.first?.values.first {
        case .int(let value)?: Int(value)
        case .uint(let value)?: Int(value)
        case .text(let text)?, .decimal(let text)?: Int(text) ?? 0
        default: 0
        }
    }

    /// One page of the users or groups matching the query.
    public func resources(_ kind: ResourceKind, _ query: DirectoryQuery) throws -> [SCIMResource] {
        try page(kind, query, withGroups: false).map(\.resource)
    }

    /// One page of users with the ids of each one's groups, read by the same statement (a
    /// correlated aggregate over the relation), so that a lookup is one round trip.
    public func usersWithGroups(_ query: DirectoryQuery) throws -> [(resource: SCIMResource, groupIDs: [String])] {
        try page(.user, query, withGroups: true).map { ($0.resource, $0.groupIDs ?? []) }
    }

    private static let groupsAlias = "scimsync_group_ids"
    private static let sortKeyAlias = "scimsync_sort_key"
    /// Separates the aggregated ids: the ASCII unit separator, which no id holds.
    private static let separator: Character = "\u{1F}"

    /// One page of the users or groups matching the query, in the query's order, each row with
    /// its position; with `withGroups`, users come with their group ids.
    ///
    /// A page after (or before) a `keyset` position reads from that row on through the sort
    /// order's index where there is one, never counting the rows before it: the cost of a page
    /// does not grow with its depth, unlike an `offset`.
    public func page(_ kind: ResourceKind, _ query: DirectoryQuery, withGroups: Bool) throws -> [PageRow] {
        let table = try mappedTable(kind)
        // No row is wanted (and SQL Server refuses FETCH NEXT 0 ROWS).
        guard query.limit > 0 else { return [] }
        var builder = StatementBuilder(dialect)
        var select = selectList(table)
        let groups = withGroups && kind == .user ? groupsAggregate() : nil
        let groupsReadApart = withGroups && kind == .user && groups == nil && relation != nil
        if let groups { select += ", \(groups) AS \(dialect.quote(Self.groupsAlias))" }
        let id = "t.\(dialect.quote(table.idColumn))"
        // A backward page reads the rows before the position in the reverse order, nearest
        // first, and is turned back round below.
        let reversed = query.keyset?.backward == true
        var sortExpression: String?
        var sortAscending = true
        if let sortBy = query.sortBy, let attribute = sortColumn(sortBy, in: table) {
            var expression = "t.\(dialect.quote(table.table.column(attribute.column)))"
            let textual = attribute.type == .string || attribute.type == .reference
            if textual, !attribute.caseExact {
                switch dialect {
                case .postgres: expression = "LOWER(\(expression))"
                case .sqlite: expression += " COLLATE NOCASE"
                // The column's collation decides, case-insensitive where it is `_CI_`.
                case .mariaDB, .sqlServer: break
                }
            }
            sortExpression = expression
            sortAscending = !query.descending
            select += ", \(expression) AS \(dialect.quote(Self.sortKeyAlias))"
        }
        let idAscending = !(query.descending && sortExpression == nil)
        var order: [String] = []
        if let sortExpression { order.append(sortExpression + (sortAscending != reversed ? " ASC" : " DESC")) }
        order.append(id + (idAscending != reversed ? " ASC" : " DESC"))
        let orderBy = " ORDER BY " + order.joined(separator: ", ")
        let from = "\(dialect.table(table.table.name)) t"
        let keyset = try query.keyset.map { position in
            KeysetPredicate(
                sortExpression: sortExpression, sortAscending: sortAscending != reversed,
                idExpression: id, idAscending: idAscending != reversed,
                sortKey: position.sortKey, id: try table.idValue(position.id),
                nullsFirstAscending: dialect.sortsNullsFirstAscending)
        }
        if case .sqlServer = dialect {
            // OFFSET … FETCH skips the rows after sorting them; SQL Server does not compute
            // the select list of the rows it skips.
            builder.append("SELECT \(select) FROM \(from)")
            try appendWhere(query.filter, kind: kind, table: table, builder: &builder, and: keyset)
            builder.append(orderBy + dialect.limitClause(query.limit, offset: keyset == nil ? query.offset : 0))
        } else if query.offset > 0, keyset == nil {
            // A deep page (startIndex far in) skips its offset over ids alone, then reads the
            // page's rows: MariaDB would otherwise compute every skipped row's select list
            // (the groups aggregate among it) before discarding it.
            builder.append("SELECT \(select) FROM \(from) JOIN (SELECT \(id) AS k FROM \(from)")
            try appendWhere(query.filter, kind: kind, table: table, builder: &builder)
            builder.append(orderBy + " LIMIT \(max(query.limit, 0)) OFFSET \(query.offset)) p ON p.k = \(id)")
            builder.append(orderBy)
        } else {
            builder.append("SELECT \(select) FROM \(from)")
            try appendWhere(query.filter, kind: kind, table: table, builder: &builder, and: keyset)
            builder.append(orderBy + " LIMIT \(max(query.limit, 0))")
        }
        var rows = try read(builder.statement, table).map { row in
            let resource = try resource(from: row, kind: kind, table: table)
            let position = KeysetPosition(
                sortKey: sortExpression == nil ? nil : row[Self.sortKeyAlias] ?? .null, id: resource.id ?? "")
            guard groups != nil else { return PageRow(resource: resource, groupIDs: nil, position: position) }
            let ids: [String]
            switch row[Self.groupsAlias] {
            case .text(let text)?: ids = text.split(separator: Self.separator).map(String.init)
            case .int(let value)?: ids = [String(value)]
            case .uint(let value)?: ids = [String(value)]
            case .bytes(let bytes)?: ids = String(decoding: bytes, as: UTF8.self).split(separator: Self.separator).map(String.init)
            default: ids = []
            }
            return PageRow(resource: resource, groupIDs: ids, position: position)
        }
        if groupsReadApart {
            // One more statement for the page's memberships, in place of a correlated
            // aggregate (see `groupsAggregate`).
            let groupIDs = try groupIDs(ofUsers: rows.compactMap(\.resource.id))
            for index in rows.indices {
                rows[index].groupIDs = rows[index].resource.id.flatMap { groupIDs[$0] } ?? []
            }
        }
        return reversed ? rows.reversed() : rows
    }

    /// Whether a page can start at `position` for `query`: its id is one the id column can
    /// hold and its sort key has the type the sort column gives. A position read from this
    /// table always can; one from elsewhere would fail in the database (a NUL PostgreSQL
    /// refuses, a number compared with text, an id wider than the column) rather than select
    /// nothing.
    public func canStart(_ kind: ResourceKind, _ query: DirectoryQuery, at position: KeysetPosition) -> Bool {
        guard let table = try? mappedTable(kind), (try? table.idValue(position.id)) != nil,
            !(dialect.refusesNULInText && position.id.utf8.contains(0))
        else { return false }
        guard let sortBy = query.sortBy, let attribute = sortColumn(sortBy, in: table) else {
            // Sorted by id alone: a sort key has nothing to stand for.
            return position.sortKey == nil
        }
        let key = position.sortKey ?? .null
        if case .text(let text) = key, dialect.refusesNULInText, text.utf8.contains(0) { return false }
        switch dialect {
        case .sqlite, .mariaDB:
            // Values of any type compare with any column (SQLite's dynamic types, MariaDB's
            // conversions): no key makes the statement fail.
            return true
        case .postgres, .sqlServer:
            break
        }
        switch (attribute.type, key) {
        case (_, .null): return true
        case (.string, .text), (.reference, .text), (.binary, .text), (.dateTime, .text), (.boolean, .text):
            return true
        case (.binary, .bytes), (.boolean, .bool), (.boolean, .int), (.boolean, .bits), (.integer, .int),
            (.integer, .uint), (.integer, .decimal), (.decimal, .int), (.decimal, .uint), (.decimal, .decimal),
            (.decimal, .double), (.dateTime, .dateTime), (.dateTime, .timestamp), (.dateTime, .date):
            return true
        default: return false
        }
    }

    /// The user's group ids as one text value, or nil when the layout keeps no memberships
    /// or, in SQL Server, keeps them in a relation table: `STRING_AGG` came with SQL Server
    /// 2017 and its `WITHIN GROUP` order, so there the page's memberships are read by one
    /// more statement.
    private func groupsAggregate() -> String? {
        if case .sqlServer = dialect, relation != nil { return nil }
        if let relation, let membership = layout.membership {
            let group = "m.\(dialect.quote(relation.column(membership.group)))"
            let from = "FROM \(dialect.table(relation.name)) m WHERE m.\(dialect.quote(relation.column(membership.user))) = t.\(dialect.quote(users.idColumn))"
            switch dialect {
            case .mariaDB: return "(SELECT GROUP_CONCAT(\(group) ORDER BY \(group) SEPARATOR '\u{1F}') \(from))"
            case .postgres: return "(SELECT string_agg(\(group)::text, chr(31) ORDER BY \(group)) \(from))"
            case .sqlite: return "(SELECT group_concat(\(group), char(31)) \(from))"
            case .sqlServer: return nil
            }
        }
        if let group = layout.users.group {
            return "t.\(dialect.quote(users.table.column(group)))"
        }
        return nil
    }

    /// The user or group with `id`, or nil.
    public func resource(_ kind: ResourceKind, id: String) throws -> SCIMResource? {
        let table = try mappedTable(kind)
        guard let value = try? table.idValue(id) else { return nil }
        var builder = StatementBuilder(dialect)
        builder.append("SELECT \(selectList(table)) FROM \(dialect.table(table.table.name)) t WHERE t.")
        builder.bindIn(table.idColumn, [value])
        let rows = try read(builder.statement, table)
        // The database may match ids the text does not (a case-insensitive collation).
        guard let row = rows.first else { return nil }
        let found = try resource(from: row, kind: kind, table: table)
        return found.id == id ? found : nil
    }

    /// The ids of the users (or groups) whose `column` equals `value`, at most `limit`: the
    /// uniqueness check of `userName` and `displayName` before a write.
    public func ids(_ kind: ResourceKind, where path: AttributePath, equals value: SCIMValue, limit: Int = 2) throws
        -> [String]
    {
        let table = try mappedTable(kind)
        var builder = StatementBuilder(dialect)
        builder.append("SELECT \(dialect.topPrefix(limit))t.\(dialect.quote(table.idColumn)) AS \(dialect.quote(table.mapper.idColumn)) FROM \(dialect.table(table.table.name)) t")
        try appendWhere(.compare(path, .eq, value), kind: kind, table: table, builder: &builder)
        builder.append(dialect.limitSuffix(limit))
        return try read(builder.statement, table).map { row in try table.mapper.id(in: row) }
    }

    /// The ids of the users whose `userName` equals `userName` ignoring case in every script,
    /// not only ASCII: SQLite's `NOCASE` and `LOWER()` on a PostgreSQL database in the C
    /// locale fold ASCII letters alone, so `ÅLICE` and `ålice` would both be accepted. Empty,
    /// without a query, for a name with no cased letter beyond ASCII
    /// (``hasCasedLettersBeyondASCII(_:)``): the database's own comparison finds those.
    ///
    /// The database narrows the candidates with a `LIKE` pattern that keeps the ASCII
    /// characters and leaves one wildcard per other character; Swift compares what remains
    /// with Unicode's lowercase mapping.
    public func userIDs(equalIgnoringCase userName: String) throws -> [String] {
        guard Self.hasCasedLettersBeyondASCII(userName) else { return [] }
        let table = try mappedTable(.user)
        guard let attribute = sortColumn(AttributePath(attribute: "userName"), in: table) else { return [] }
        var pattern = ""
        for scalar in userName.unicodeScalars {
            pattern += scalar.isASCII ? FilterSQL.likeEscaped(String(scalar), dialect) : "_"
        }
        let column = "t.\(dialect.quote(table.table.column(attribute.column)))"
        var builder = StatementBuilder(dialect)
        builder.append(
            "SELECT \(dialect.topPrefix(10000))t.\(dialect.quote(table.idColumn)) AS \(dialect.quote(table.mapper.idColumn)), \(column) AS \(dialect.quote(Self.sortKeyAlias)) FROM \(dialect.table(table.table.name)) t WHERE \(column) ")
        if case .postgres = dialect { builder.append("ILIKE ") } else { builder.append("LIKE ") }
        builder.bind(.text(pattern))
        builder.append(" ESCAPE '!'" + dialect.limitSuffix(10000))
        let wanted = userName.lowercased()
        return try read(builder.statement, table).compactMap { row in
            guard case .text(let name)? = row[Self.sortKeyAlias], name.lowercased() == wanted else { return nil }
            return try table.mapper.id(in: row)
        }
    }

    /// Whether `text` has a letter with case outside ASCII (`Å`, `ß`, `Σ`, not `東`): where
    /// the databases' own case-insensitive comparisons may stop short.
    static func hasCasedLettersBeyondASCII(_ text: String) -> Bool {
        text.unicodeScalars.contains { !$0.isASCII && $0.properties.isCased }
    }

    /// The member ids of each of `groupIDs` (users only: the layout's memberships), each list
    /// in the database's order.
    public func memberIDs(ofGroups groupIDs: [String]) throws -> [String: [String]] {
        try pairs(keyedBy: .group, groupIDs)
    }

    /// The ids of the groups each of `userIDs` belongs to.
    public func groupIDs(ofUsers userIDs: [String]) throws -> [String: [String]] {
        try pairs(keyedBy: .user, userIDs)
    }

    /// The parent id of each of `groupIDs` that has one (layouts with `groups.parent`).
    public func parentIDs(ofGroups groupIDs: [String]) throws -> [String: String] {
        guard let groups, let parent = layout.groups?.parent else { return [:] }
        var result: [String: String] = [:]
        for chunk in groupIDs.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1)) {
            let values = chunk.compactMap { try? groups.idValue($0) }
            guard !values.isEmpty else { continue }
            let statement = dialect.select(
                [groups.idColumn, groups.table.column(parent)], from: groups.table.name, where: groups.idColumn,
                in: values)
            for row in try read(statement, groups) {
                guard row.values.count == 2, row.values[1] != .null,
                    let id = try? groups.mapper.id(in: Row(columns: [groups.mapper.idColumn], values: [row.values[0]])),
                    let parentID = try? groups.mapper.id(in: Row(columns: [groups.mapper.idColumn], values: [row.values[1]]))
                else { continue }
                result[id] = parentID
            }
        }
        return result
    }

    // MARK: Helpers

    private enum PairKey { case user, group }

    private func pairs(keyedBy key: PairKey, _ ids: [String]) throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        let table: String
        let userColumn: String
        let groupColumn: String
        let userType: ColumnType
        let groupType: ColumnType
        var notNull: String?
        if let relation, let membership = layout.membership {
            table = relation.name
            userColumn = relation.column(membership.user)
            groupColumn = relation.column(membership.group)
            userType = relation.idType(membership.user)
            groupType = relation.idType(membership.group)
        } else if let group = layout.users.group {
            table = users.table.name
            userColumn = users.idColumn
            groupColumn = users.table.column(group)
            userType = users.columnTypes[users.mapper.idColumn] ?? users.table.idType(users.mapper.idColumn)
            groupType = users.table.idType(group)
            notNull = groupColumn
        } else {
            return [:]
        }
        let keyColumn = key == .user ? userColumn : groupColumn
        let keyType = key == .user ? userType : groupType
        var result: [String: [String]] = [:]
        for chunk in ids.chunks(of: dialect.rowsPerStatement(columnsPerRow: 1)) {
            let values = chunk.compactMap { try? SCIMValue.string($0).sqlValue(for: keyType, attributeType: .string, column: keyColumn) }
            guard !values.isEmpty else { continue }
            var builder = StatementBuilder(dialect)
            builder.append("SELECT \(dialect.quote(userColumn)) AS u, \(dialect.quote(groupColumn)) AS g FROM \(dialect.table(table)) WHERE ")
            builder.bindIn(keyColumn, values)
            if let notNull { builder.append(" AND \(dialect.quote(notNull)) IS NOT NULL") }
            let statement = builder.statement
            let rows: [Row]
            do {
                rows = try connection.query(statement.sql, statement.parameters)
            } catch {
                throw TargetError(.read(table: table), underlying: error)
            }
            for row in rows {
                guard row.values.count == 2,
                    let user = try? idText(row.values[0], column: userColumn),
                    let group = try? idText(row.values[1], column: groupColumn)
                else { continue }
                if key == .user {
                    result[user, default: []].append(group)
                } else {
                    result[group, default: []].append(user)
                }
            }
        }
        return result
    }

    /// A user or group id as the relation table holds it, as text.
    func idText(_ value: SQLValue, column: String) throws -> String {
        guard let text = try value.scimValue(as: .string, column: column).stringValue else {
            throw RowMappingError.missingID(table: "", column: column)
        }
        return text
    }

    func mappedTable(_ kind: ResourceKind) throws(TargetError) -> MappedTable {
        switch kind {
        case .user: return users
        case .group:
            guard let groups else { throw TargetError(.unsupported(.createGroup, needs: "groups table")) }
            return groups
        }
    }

    private func selectList(_ table: MappedTable) -> String {
        let kind = table.mapper.kind
        if let cached = queryCache.selectLists[kind] { return cached }
        let list = table.columns.map { "t.\(dialect.quote(table.table.column($0))) AS \(dialect.quote($0))" }
            .joined(separator: ", ")
        queryCache.selectLists[kind] = list
        return list
    }

    private func appendWhere(
        _ filter: Filter?, kind: ResourceKind, table: MappedTable, builder: inout StatementBuilder,
        and keyset: KeysetPredicate? = nil
    ) throws(SCIMError) {
        guard let filter else {
            if let keyset {
                builder.append(" WHERE ")
                keyset.append(to: &builder)
            }
            return
        }
        builder.append(" WHERE ")
        if let keyset {
            keyset.append(to: &builder)
            builder.append(" AND (")
        }
        let membership: MembershipSQL?
        if let cached = queryCache.memberships[kind] {
            membership = cached
        } else {
            membership = membershipSQL(kind)
            queryCache.memberships[kind] = membership
        }
        let translator = FilterSQL(dialect: dialect, table: table, alias: "t", membership: membership)
        try translator.append(filter, to: &builder)
        if keyset != nil { builder.append(")") }
    }

    private func membershipSQL(_ kind: ResourceKind) -> MembershipSQL? {
        if let relation, let membership = layout.membership {
            switch kind {
            case .group:
                guard let groups else { return nil }
                return MembershipSQL(
                    attributeName: "members", from: dialect.table(relation.name), link: relation.column(membership.group),
                    outerID: groups.idColumn, other: relation.column(membership.user),
                    otherType: relation.idType(membership.user), dialect: dialect)
            case .user:
                return MembershipSQL(
                    attributeName: "groups", from: dialect.table(relation.name), link: relation.column(membership.user),
                    outerID: users.idColumn, other: relation.column(membership.group),
                    otherType: relation.idType(membership.group), dialect: dialect)
            }
        }
        guard let group = layout.users.group else { return nil }
        switch kind {
        case .group:
            guard let groups else { return nil }
            return MembershipSQL(
                attributeName: "members", from: dialect.table(users.table.name), link: users.table.column(group),
                outerID: groups.idColumn, other: users.idColumn,
                otherType: users.columnTypes[users.mapper.idColumn] ?? users.table.idType(users.mapper.idColumn),
                dialect: dialect)
        case .user:
            return MembershipSQL(
                attributeName: "groups", from: nil, link: users.table.column(group), outerID: users.idColumn,
                other: users.table.column(group), otherType: users.table.idType(group), dialect: dialect)
        }
    }

    /// The single column a sort key names: a plain attribute, a sub-attribute, or the first
    /// element's column of a multi-valued one (RFC 7644 §3.4.2.3 sorts multi-valued
    /// attributes by their primary value, or else the first). Nil when nothing is mapped:
    /// every resource then lacks the value, and any order is sorted.
    private func sortColumn(_ path: AttributePath, in table: MappedTable) -> MappedAttribute? {
        let candidates = table.queryAttributes.filter { attribute in
            attribute.path.attribute.caseInsensitiveEquals(path.attribute)
                && (path.subAttribute ?? (attribute.multiValued ? "value" : nil)).map { sub in
                    attribute.path.subAttribute?.caseInsensitiveEquals(sub) == true
                } ?? (attribute.path.subAttribute == nil)
        }
        return candidates.first { $0.fixedValues["primary"] == .bool(true) } ?? candidates.first
    }

    private func read(_ statement: SQLStatement, _ table: MappedTable) throws(TargetError) -> [Row] {
        do {
            return try connection.query(statement.sql, statement.parameters)
        } catch {
            throw TargetError(.read(table: table.table.name), underlying: error)
        }
    }

    private func resource(from row: Row, kind: ResourceKind, table: MappedTable) throws -> SCIMResource {
        try table.mapper.resource(from: row)
    }
}

/// Statement pieces of the SCIM server's reads, by resource kind.
struct QueryCache {
    var selectLists: [ResourceKind: String] = [:]
    /// The `members`/`groups` filter pieces; the inner nil caches "none in this layout".
    var memberships: [ResourceKind: MembershipSQL?] = [:]
}

extension SQLTarget {
    /// How many groups name `id` as their parent; 0 when the layout keeps no parent column.
    public func childGroupCount(of id: String) throws -> Int {
        guard let groups, let parentColumn = layout.groups?.parent else { return 0 }
        let parent: SQLValue
        do {
            parent = try groups.table.idValue(id, column: parentColumn, type: groups.table.idType(parentColumn))
        } catch {
            // An id the parent column cannot hold is nobody's parent.
            return 0
        }
        var builder = StatementBuilder(dialect)
        builder.append(
            "SELECT COUNT(*) AS n FROM \(dialect.table(groups.table.name)) WHERE \(dialect.quote(groups.table.column(parentColumn))) = ")
        builder.bind(parent)
        return Self.count(in: try read(builder.statement, groups))
    }
}
