import Directory

extension PostgresConnection {
    /// The columns of `table` in `schema`, in table order, from `information_schema.columns`,
    /// or nil when the table (or view) does not exist or the user may not see it.
    ///
    /// `sqlType` is information_schema's `data_type` (`"integer"`, `"character varying"`,
    /// `"boolean"`, `"USER-DEFINED"` for enums and extension types).
    public func columns(ofTable table: String, schema: String = "public") throws -> [ColumnDescription]? {
        let rows = try query(
            """
            SELECT c.column_name, c.data_type, c.is_nullable,
                   EXISTS (
                       SELECT 1
                       FROM information_schema.table_constraints tc
                       JOIN information_schema.key_column_usage k
                         ON k.constraint_schema = tc.constraint_schema
                        AND k.constraint_name = tc.constraint_name
                        AND k.table_schema = tc.table_schema
                        AND k.table_name = tc.table_name
                       WHERE tc.constraint_type = 'PRIMARY KEY'
                         AND tc.table_schema = c.table_schema
                         AND tc.table_name = c.table_name
                         AND k.column_name = c.column_name
                   ) AS is_primary_key,
                   (c.is_identity = 'YES' OR c.column_default LIKE 'nextval(%') AS is_generated,
                   c.column_default IS NOT NULL AS has_default,
                   c.column_default
            FROM information_schema.columns c
            WHERE c.table_schema = $1 AND c.table_name = $2
            ORDER BY c.ordinal_position
            """,
            [.text(schema), .text(table)]
        )
        // Every table has at least one column (or is a zero-column table, which no layout uses).
        guard !rows.isEmpty else { return nil }
        return rows.map { row in
            ColumnDescription(
                name: row.catalogText(0) ?? "",
                sqlType: row.catalogText(1) ?? "",
                nullable: row.catalogText(2) == "YES",
                isPrimaryKey: row.values[3] == .bool(true),
                isGenerated: row.values[4] == .bool(true),
                hasDefault: row.values[5] == .bool(true),
                defaultExpression: row.catalogText(6)
            )
        }
    }

    /// The names of the tables and views in `schema`, sorted.
    public func tableNames(schema: String = "public") throws -> [String] {
        try query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
            [.text(schema)]
        ).compactMap { $0.catalogText(0) }
    }

    /// Every table's and view's column names in `schema`, in table order, read in one query.
    public func columnNamesByTable(schema: String = "public") throws -> [String: [String]] {
        let rows = try query(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = $1 ORDER BY table_name, ordinal_position
            """,
            [.text(schema)]
        )
        return Dictionary(grouping: rows.compactMap { row in
            row.catalogText(0).flatMap { table in row.catalogText(1).map { (table, $0) } }
        }, by: \.0).mapValues { $0.map(\.1) }
    }
}
