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
        let tableNames = columns.keys.sorted()
        for table in tableUses {
            guard let existing = Self.columns(of: table.table, in: columns) else {
                issues.append(
                    LayoutIssue(
                        path: table.path,
                        message: "unknown table \"\(table.table)\"" + Self.hint(table.table, among: tableNames)))
                continue
            }
            var reported: Set<[String]> = []
            for column in table.columns {
                guard !existing.contains(where: { $0.caseInsensitiveEquals(column.column) }),
                    reported.insert([column.column.lowercased(), column.path]).inserted
                else { continue }
                issues.append(
                    LayoutIssue(
                        path: column.path,
                        message: "table \(table.table) has no column \"\(column.column)\""
                            + Self.hint(column.column, among: existing)))
            }
        }
        return issues
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
