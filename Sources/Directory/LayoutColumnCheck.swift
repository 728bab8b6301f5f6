extension DirectoryLayout {
    /// Checks the layout against a database's tables: `columns` maps each table name to its
    /// column names (a table absent from it does not exist). Reports unknown tables and
    /// columns, with the closest existing name as a hint:
    ///
    ///     users.table: unknown table "sync_user" (did you mean "sync_users"?)
    ///     users.attributes: table sync_users has no column "emial" (did you mean "email"?)
    ///
    /// Names compare ignoring case, and a layout's `schema.table` also finds its table under
    /// the bare `table` name. Each missing column is reported once per key path.
    public func issues(againstColumns columns: [String: [String]]) -> [LayoutIssue] {
        var issues: [LayoutIssue] = []
        var needed = [
            NeededTable(
                name: users.table, path: "users.table",
                columns: users.attributes.entries.map { ($0.column, "users.attributes") }
                    + (users.group.map { [($0, "users.group")] } ?? []))
        ]
        if let groups {
            needed.append(
                NeededTable(
                    name: groups.table, path: "groups.table",
                    columns: groups.attributes.entries.map { ($0.column, "groups.attributes") }
                        + (groups.parent.map { [($0, "groups.parent")] } ?? [])))
        }
        if let membership {
            needed.append(
                NeededTable(
                    name: membership.table, path: "membership.table",
                    columns: [(membership.user, "membership.user"), (membership.group, "membership.group")]))
        }
        let tableNames = columns.keys.sorted()
        for table in needed where !table.name.isEmpty {
            guard let existing = Self.columns(of: table.name, in: columns) else {
                issues.append(
                    LayoutIssue(
                        path: table.path,
                        message: "unknown table \"\(table.name)\"" + Self.hint(table.name, among: tableNames)))
                continue
            }
            var reported: Set<[String]> = []
            for column in table.columns where !column.name.isEmpty {
                guard !existing.contains(where: { $0.caseInsensitiveEquals(column.name) }),
                    reported.insert([column.name.lowercased(), column.path]).inserted
                else { continue }
                issues.append(
                    LayoutIssue(
                        path: column.path,
                        message: "table \(table.name) has no column \"\(column.name)\""
                            + Self.hint(column.name, among: existing)))
            }
        }
        return issues
    }

    /// A table the layout uses and the columns it needs there, each with the key path that
    /// names it.
    private struct NeededTable {
        var name: String
        var path: String
        var columns: [(name: String, path: String)]
    }

    private static func columns(of table: String, in columns: [String: [String]]) -> [String]? {
        if let exact = columns[table] { return exact }
        let bare = table.split(separator: ".").last.map(String.init) ?? table
        return columns.first { $0.key.caseInsensitiveEquals(table) || $0.key.caseInsensitiveEquals(bare) }?.value
    }

    private static func hint(_ word: String, among candidates: [String]) -> String {
        didYouMean(word, among: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
