import MySQLBinlog
import SQLClients

/// The source's `information_schema`, asked what a table looks like when a TABLE_MAP does not
/// say enough: column names under `binlog_row_metadata=MINIMAL`, and on MariaDB which columns
/// are JSON (its JSON type is a LONGTEXT alias the binlog cannot tell apart).
///
/// The connection lives on a serial queue of its own: lookups block on the network, and
/// DESIGN.md keeps blocking C calls off Swift's cooperative pool. They are rare (once per
/// table, and again after a DDL statement), so one queue is plenty.
public final class SourceCatalog: Sendable {
    private let connection: QueueConfined<MariaDBConnection>

    /// - Parameter open: connects to the source; called on the catalog's queue, again after a
    ///   lookup failed (the connection may have been lost).
    public init(open: @escaping @Sendable () throws -> MariaDBConnection) {
        connection = QueueConfined(label: "scimsync.source-catalog", open: open)
    }

    /// The columns of `schema.table` as the catalog knows them now; empty when the table is gone.
    public func columns(schema: String, table: String) async throws -> [ColumnSchema] {
        try await withConnection { connection in
            try connection.catalogColumns(database: schema, table: table).map { column in
                ColumnSchema(
                    name: column.name, columnType: column.columnType, collationID: column.collationID,
                    holdsJSONText: column.isJSON)
            }
        }
    }

    /// Runs `body` with the catalog's connection on its queue (positions, binary logs ...).
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (MariaDBConnection) throws -> T) async throws -> T {
        try await connection.run(body)
    }
}
