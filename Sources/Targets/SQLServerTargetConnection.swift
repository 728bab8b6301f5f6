import Directory
import SQLClients
import SQLServerClient

/// A SQL Server connection as a ``TargetConnection``, with the change tracking context a
/// pipeline's writes carry.
///
/// Statements that change rows come from ``SQLDialect`` with
/// ``SQLDialect/changeTrackingContextMarker`` before their keyword. With a
/// ``changeTrackingContext``, each marker becomes `WITH CHANGE_TRACKING_CONTEXT
/// (CONVERT(varbinary(128), @pN))`, the context bound as one more parameter (SQL Server docs,
/// "WITH CHANGE_TRACKING_CONTEXT (Transact-SQL)": "context ... is varbinary(128)"), so a
/// change tracking reader of the same tables can tell scimsync's writes from others. Without
/// one (`scimsync serve`), the markers are dropped. Each marked statement starts the batch or
/// follows a `;`, as a statement beginning with `WITH` must.
///
/// Not Sendable, like the connection it owns: one thread uses it at a time.
public final class SQLServerTargetConnection: TargetConnection {
    public let connection: SQLServerConnection
    /// The bytes every INSERT, UPDATE and DELETE is tagged with (at most 128); nil: untagged.
    public var changeTrackingContext: [UInt8]?

    public init(_ connection: SQLServerConnection, changeTrackingContext: [UInt8]? = nil) {
        self.connection = connection
        self.changeTrackingContext = changeTrackingContext.map { Array($0.prefix(128)) }
    }

    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        let (text, values) = Self.tagged(sql, parameters, context: changeTrackingContext)
        return try connection.query(text, values)
    }

    /// `sql` with its change tracking markers replaced (or removed), and the parameters with
    /// the context appended when a marker used it.
    static func tagged(_ sql: String, _ parameters: [SQLValue], context: [UInt8]?) -> (String, [SQLValue]) {
        let marker = SQLDialect.changeTrackingContextMarker
        guard sql.contains(marker) else { return (sql, parameters) }
        guard let context, !context.isEmpty else { return (sql.replacing(marker, with: ""), parameters) }
        let clause = "WITH CHANGE_TRACKING_CONTEXT (CONVERT(varbinary(128), @p\(parameters.count + 1))) "
        return (sql.replacing(marker, with: clause), parameters + [.bytes(context)])
    }

    public func begin() throws {
        try connection.begin()
    }

    public func commit() throws {
        try connection.commit()
    }

    public func rollback() throws {
        // After an error that ended the transaction (XACT_ABORT, a deadlock victim) there is
        // nothing to roll back, and ROLLBACK would fail with 3903: only when one is open.
        _ = try connection.execute("IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION")
    }

    public func run(_ sql: String) throws {
        _ = try connection.execute(sql)
    }

    /// The columns of `table` in `schema` (`dbo` when nil) from INFORMATION_SCHEMA: the primary
    /// key from TABLE_CONSTRAINTS and KEY_COLUMN_USAGE, IDENTITY columns from COLUMNPROPERTY
    /// (`IsIdentity`), defaults from COLUMN_DEFAULT (SQL Server's text, e.g. `((0))`).
    public func tableColumns(_ table: String, schema: String?) throws -> [ColumnDescription]? {
        let schema = schema ?? "dbo"
        let rows = try connection.query(
            """
            SELECT c.COLUMN_NAME AS name, c.DATA_TYPE AS type, c.CHARACTER_MAXIMUM_LENGTH AS length,
                   c.IS_NULLABLE AS nullable, c.COLUMN_DEFAULT AS dflt,
                   COLUMNPROPERTY(OBJECT_ID(@p3), c.COLUMN_NAME, 'IsIdentity') AS ident
            FROM INFORMATION_SCHEMA.COLUMNS c
            WHERE c.TABLE_SCHEMA = @p1 AND c.TABLE_NAME = @p2
            ORDER BY c.ORDINAL_POSITION
            """,
            [.text(schema), .text(table), .text(SQLDialect.sqlServer(schema: schema).table(table))])
        // Every table has at least one column: no rows means no such table.
        guard !rows.isEmpty else { return nil }
        let keyRows = try connection.query(
            """
            SELECT k.COLUMN_NAME AS name
            FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS t
            JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
              ON k.CONSTRAINT_NAME = t.CONSTRAINT_NAME AND k.TABLE_SCHEMA = t.TABLE_SCHEMA AND k.TABLE_NAME = t.TABLE_NAME
            WHERE t.CONSTRAINT_TYPE = 'PRIMARY KEY' AND t.TABLE_SCHEMA = @p1 AND t.TABLE_NAME = @p2
            """,
            [.text(schema), .text(table)])
        let keys = Set(keyRows.compactMap { row -> String? in
            if case .text(let name)? = row["name"] { name.lowercased() } else { nil }
        })
        return rows.map { row in
            let name = Self.text(row["name"]) ?? ""
            var type = Self.text(row["type"]) ?? ""
            switch row["length"] {
            case .int(let length)?: type += length < 0 ? "(max)" : "(\(length))"
            default: break
            }
            let defaultExpression = Self.text(row["dflt"])
            return ColumnDescription(
                name: name, sqlType: type, nullable: Self.text(row["nullable"]) == "YES",
                isPrimaryKey: keys.contains(name.lowercased()), isGenerated: row["ident"] == .int(1),
                hasDefault: defaultExpression != nil, defaultExpression: defaultExpression)
        }
    }

    private static func text(_ value: SQLValue?) -> String? {
        if case .text(let text)? = value { text } else { nil }
    }
}
