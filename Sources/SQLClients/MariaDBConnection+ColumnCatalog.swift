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
        let rows = try query(
            """
            SELECT c.COLUMN_NAME, c.COLUMN_TYPE, co.ID, c.DATA_TYPE = 'json' OR EXISTS (
                       SELECT 1 FROM information_schema.CHECK_CONSTRAINTS k
                       WHERE k.CONSTRAINT_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME
                         AND k.CHECK_CLAUSE = CONCAT('json_valid(`', c.COLUMN_NAME, '`)'))
            FROM information_schema.COLUMNS c
            LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME
            WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ?
            ORDER BY c.ORDINAL_POSITION
            """,
            [.text(database), .text(table)]
        )
        return rows.map { row in
            CatalogColumn(
                name: row.catalogText(0) ?? "",
                columnType: row.catalogText(1) ?? "",
                collationID: row.catalogInteger(2).map(Int.init),
                isJSON: (row.catalogInteger(3) ?? 0) != 0
            )
        }
    }
}
