import Directory

/// What the catalog says about a column, for decoding binlog rows whose TABLE_MAP came without
/// optional metadata (MySQL's default `binlog_row_metadata=MINIMAL`), and for MariaDB's JSON
/// columns, which the binlog carries as plain text.
public struct CatalogColumn: Sendable, Hashable {
    public var name: String
    /// `COLUMN_TYPE`, e.g. `int(10) unsigned`, `enum('a','b')`, `longtext`.
    public var columnType: String
    /// The id of the column's collation; nil for non-text columns.
    public var collationID: Int?
    /// A JSON column: MySQL's JSON type, or MariaDB's alias (LONGTEXT with a `json_valid` check).
    public var isJSON: Bool

    public init(name: String, columnType: String, collationID: Int?, isJSON: Bool) {
        self.name = name
        self.columnType = columnType
        self.collationID = collationID
        self.isJSON = isJSON
    }
}

extension MariaDBConnection {
    /// The columns of `database.table` in table order, with collations and JSON-ness; empty
    /// when there is no such table.
    public func catalogColumns(database: String, table: String) throws -> [CatalogColumn] {
        // Two queries filtered to the one table: a correlated subquery on CHECK_CONSTRAINTS
        // makes the server open every table's definition, which MariaDB 10.11 has crashed on
        // (signal 11) while other sessions dropped tables.
        let rows = try query(
            """
            SELECT c.COLUMN_NAME, c.COLUMN_TYPE, co.ID, c.DATA_TYPE
            FROM information_schema.COLUMNS c
            LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME
            WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ?
            ORDER BY c.ORDINAL_POSITION
            """,
            [.text(database), .text(table)]
        )
        guard !rows.isEmpty else { return [] }
        // MariaDB's JSON is LONGTEXT with an automatic CHECK (json_valid(`column`)).
        let checks = isMariaDB
            ? try query(
                """
                SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
                WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?
                """,
                [.text(database), .text(table)]
            ).compactMap { $0.catalogText(0) }
            : []
        let jsonChecked = Set(checks)
        return rows.map { row in
            let name = row.catalogText(0) ?? ""
            return CatalogColumn(
                name: name,
                columnType: row.catalogText(1) ?? "",
                collationID: row.catalogInteger(2).map(Int.init),
                isJSON: row.catalogText(3)?.lowercased() == "json" || jsonChecked.contains("json_valid(`\(name)`)")
            )
        }
    }
}
