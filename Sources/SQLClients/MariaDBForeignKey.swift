/// A foreign key as MariaDB's `information_schema` describes it
/// (``MariaDBConnection/foreignKeys(ofTable:database:)``).
public struct MariaDBForeignKey: Sendable, Hashable {
    public var name: String
    /// The referencing (child) table.
    public var table: String
    /// The referencing columns, in key order.
    public var columns: [String]
    public var referencedSchema: String
    public var referencedTable: String
    /// The referenced columns, in key order.
    public var referencedColumns: [String]
    /// `CASCADE`, `SET NULL`, `SET DEFAULT`, `RESTRICT` or `NO ACTION`, as the catalog says.
    public var deleteRule: String
    public var updateRule: String

    public init(
        name: String, table: String, columns: [String], referencedSchema: String, referencedTable: String,
        referencedColumns: [String], deleteRule: String, updateRule: String
    ) {
        self.name = name
        self.table = table
        self.columns = columns
        self.referencedSchema = referencedSchema
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.deleteRule = deleteRule
        self.updateRule = updateRule
    }
}
