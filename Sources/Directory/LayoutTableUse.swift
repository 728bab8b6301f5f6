/// A table a ``DirectoryLayout`` reads and writes, with the columns it needs there: what a
/// catalog check compares with the database (``DirectoryLayout/issues(againstColumns:)``, and
/// the source's check after a DDL statement).
public struct LayoutTableUse: Sendable, Hashable {
    /// The table as the layout names it (possibly `schema.table`).
    public var table: String
    /// The layout's key path naming the table: `users.table`, `groups.table`, `membership.table`.
    public var path: String
    public var columns: [LayoutColumnUse]

    public init(table: String, path: String, columns: [LayoutColumnUse]) {
        self.table = table
        self.path = path
        self.columns = columns
    }
}

/// One column a layout needs, and why.
public struct LayoutColumnUse: Sendable, Hashable {
    public var column: String
    /// The layout's key path naming the column: `users.attributes`, `users.group`,
    /// `groups.parent`, `membership.user` ...
    public var path: String
    /// The attribute path as the configuration writes it (`emails[type eq "work"].value`) when
    /// the column is an attribute map's; nil for the group, parent and relation columns.
    public var attribute: String?

    public init(column: String, path: String, attribute: String? = nil) {
        self.column = column
        self.path = path
        self.attribute = attribute
    }
}

extension DirectoryLayout {
    /// The tables the layout uses, users first, then groups and the relation table when it has
    /// them, each with its columns in the configuration's order. Names left empty are left out.
    public var tableUses: [LayoutTableUse] {
        func mapped(_ map: AttributeMap, _ path: String) -> [LayoutColumnUse] {
            map.entries.map { LayoutColumnUse(column: $0.column, path: path, attribute: $0.pathText) }
        }
        var uses = [
            LayoutTableUse(
                table: users.table, path: "users.table",
                columns: mapped(users.attributes, "users.attributes")
                    + (users.group.map { [LayoutColumnUse(column: $0, path: "users.group")] } ?? []))
        ]
        if let groups {
            uses.append(
                LayoutTableUse(
                    table: groups.table, path: "groups.table",
                    columns: mapped(groups.attributes, "groups.attributes")
                        + (groups.parent.map { [LayoutColumnUse(column: $0, path: "groups.parent")] } ?? [])))
        }
        if let membership {
            uses.append(
                LayoutTableUse(
                    table: membership.table, path: "membership.table",
                    columns: [
                        LayoutColumnUse(column: membership.user, path: "membership.user"),
                        LayoutColumnUse(column: membership.group, path: "membership.group"),
                    ]))
        }
        return uses.compactMap { use in
            guard !use.table.isEmpty else { return nil }
            var use = use
            use.columns.removeAll { $0.column.isEmpty }
            return use
        }
    }
}
