/// T-SQL identifiers as they are written into statements. Values never are: they are bound as
/// `@p1`, `@p2` ... parameters (`sp_executesql`).
enum TSQLName {
    /// `name` in brackets, a `]` inside doubled (SQL Server docs, "Database Identifiers":
    /// delimited identifiers are "enclosed in double quotation marks (") or brackets ([ ])";
    /// QUOTENAME doubles the closing bracket).
    static func quote(_ name: String) -> String {
        "[" + name.replacingOccurrences(of: "]", with: "]]") + "]"
    }

    /// `[schema].[table]`.
    static func qualified(schema: String, table: String) -> String {
        quote(schema) + "." + quote(table)
    }
}
