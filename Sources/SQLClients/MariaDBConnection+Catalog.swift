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

    /// The foreign keys of `table` (`information_schema.REFERENTIAL_CONSTRAINTS` and
    /// `KEY_COLUMN_USAGE`), by name, each with its columns in key order.
    ///
    /// - Parameter database: the database holding the table; nil for the connection's default.
    public func foreignKeys(ofTable table: String, database: String? = nil) throws -> [MariaDBForeignKey] {
        // Two queries filtered to the one table, joined here: information_schema joins make
        // the server open every table's definition.
        let schema = database.map(SQLValue.text) ?? .null
        let constraints = try query(
            """
            SELECT CONSTRAINT_NAME, TABLE_NAME, UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME,
                   DELETE_RULE, UPDATE_RULE
            FROM information_schema.REFERENTIAL_CONSTRAINTS
            WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?
            ORDER BY CONSTRAINT_NAME
            """,
            [schema, .text(table)])
        guard !constraints.isEmpty else { return [] }
        let usage = try query(
            """
            SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_COLUMN_NAME
            FROM information_schema.KEY_COLUMN_USAGE
            WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL
            ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION
            """,
            [schema, .text(table)])
        return constraints.map { row in
            let name = row.catalogText(0) ?? ""
            let columns = usage.filter { $0.catalogText(0) == name }
            return MariaDBForeignKey(
                name: name, table: row.catalogText(1) ?? table, columns: columns.compactMap { $0.catalogText(1) },
                referencedSchema: row.catalogText(2) ?? database ?? "", referencedTable: row.catalogText(3) ?? "",
                referencedColumns: columns.compactMap { $0.catalogText(2) },
                deleteRule: row.catalogText(4)?.uppercased() ?? "", updateRule: row.catalogText(5)?.uppercased() ?? "")
        }
    }

    /// The columns of `table`'s primary key in key order (`information_schema.STATISTICS`);
    /// empty when it has none.
    ///
    /// - Parameter database: the database holding the table; nil for the connection's default.
    public func primaryKeyColumns(ofTable table: String, database: String? = nil) throws -> [String] {
        try query(
            """
            SELECT COLUMN_NAME FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY'
            ORDER BY SEQ_IN_INDEX
            """,
            [database.map(SQLValue.text) ?? .null, .text(table)]
        ).compactMap { $0.catalogText(0) }
    }

    /// The connection's default database (`DATABASE()`); nil when it has none.
    public func currentDatabase() throws -> String? {
        try query("SELECT DATABASE()", []).first?.catalogText(0)
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
