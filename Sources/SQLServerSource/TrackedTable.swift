import Directory
import SCIM

/// One table of the layout as change tracking reads it: where it is, the columns that identify
/// a row in `CHANGETABLE` (its primary key, which the layout's key columns must be) and the
/// columns the layout maps.
struct TrackedTable: Sendable, Hashable {
    /// The table as the layout names it (changes carry this name).
    var name: String
    var schema: String
    var table: String
    /// The layout's key: the id column, or the relation table's user and group columns.
    var keyColumns: [String]
    /// The mapped columns that are not key columns, in the layout's order, without repeats.
    var valueColumns: [String]

    /// `[schema].[table]`.
    var qualified: String { TSQLName.qualified(schema: schema, table: table) }
    /// `schema.table` as `OBJECT_ID` takes it (bound as a parameter, so brackets quote it).
    var objectName: String { qualified }

    /// Every table of `layout` in the order their changes apply: groups, users, memberships.
    /// A layout table spelt `schema.table` lives in that schema, others in `schema`.
    static func all(in layout: DirectoryLayout, schema: String) -> [TrackedTable] {
        var tables: [TrackedTable] = []
        func add(_ name: String, key: [String], columns: [String]) {
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            let (tableSchema, table) = parts.count == 2 ? (parts[0], parts[1]) : (schema, name)
            var values: [String] = []
            for column in columns
            where !key.contains(where: { $0.caseInsensitiveEquals(column) })
                && !values.contains(where: { $0.caseInsensitiveEquals(column) })
            {
                values.append(column)
            }
            tables.append(TrackedTable(name: name, schema: tableSchema, table: table, keyColumns: key, valueColumns: values))
        }
        let uses = layout.tableUses
        func columns(_ path: String) -> [String] { uses.first { $0.path == path }?.columns.map(\.column) ?? [] }
        if let groups = layout.groups, let mapper = layout.groupMapper {
            add(groups.table, key: [mapper.idColumn], columns: columns("groups.table"))
        }
        add(layout.users.table, key: [layout.userMapper.idColumn], columns: columns("users.table"))
        if let membership = layout.membership {
            add(membership.table, key: [membership.user, membership.group], columns: [])
        }
        return tables
    }
}
