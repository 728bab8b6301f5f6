import Directory

extension MariaDBConnection {
    /// The columns of `table` in table order, from `information_schema.COLUMNS`, or nil when
    /// the table (or view) does not exist or the user may not see it. MariaDB writes a NULL
    /// default as the word `NULL` (a text default comes quoted): that is no default.
    ///
    /// - Parameter database: the database holding the table; nil for the connection's default.
    public func columns(ofTable table: String, database: String? = nil) throws -> [ColumnDescription]? {
        let rows = try query(
            """
            SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, EXTRA,
                   COALESCE(COLUMN_DEFAULT, 'NULL') <> 'NULL'
            FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
            ORDER BY ORDINAL_POSITION
            """,
            [database.map(SQLValue.text) ?? .null, .text(table)]
        )
        // Every table has at least one column: no rows means no such table.
        guard !rows.isEmpty else { return nil }
        return rows.map { row in
            ColumnDescription(
                name: row.catalogText(0) ?? "",
                sqlType: row.catalogText(1) ?? "",
                nullable: row.catalogText(2) == "YES",
                isPrimaryKey: row.catalogText(3) == "PRI",
                isGenerated: row.catalogText(4)?.lowercased().contains("auto_increment") == true,
                hasDefault: row.catalogInteger(5) == 1
            )
        }
    }

    /// The names of the tables and views in `database` (nil: the connection's default),
    /// sorted.
    public func tableNames(database: String? = nil) throws -> [String] {
        try query(
            """
            SELECT TABLE_NAME FROM information_schema.TABLES
            WHERE TABLE_SCHEMA = COALESCE(?, DATABASE())
            ORDER BY TABLE_NAME
            """,
            [database.map(SQLValue.text) ?? .null]
        ).compactMap { $0.catalogText(0) }
    }

    /// Every table's and view's column names in `database` (nil: the connection's default),
    /// in table order, read in one query.
    public func columnNamesByTable(database: String? = nil) throws -> [String: [String]] {
        let rows = try query(
            """
            SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = COALESCE(?, DATABASE())
            ORDER BY TABLE_NAME, ORDINAL_POSITION
            """,
            [database.map(SQLValue.text) ?? .null]
        )
        return Dictionary(grouping: rows.compactMap { row in
            row.catalogText(0).flatMap { table in row.catalogText(1).map { (table, $0) } }
        }, by: \.0).mapValues { $0.map(\.1) }
    }
}
