import Directory
import SCIM
import SQLClients

// The SCIM server's writes leave out what a client did not send; for a NOT NULL column with a
// DEFAULT the database would store that default on an INSERT, and RFC 7644 §3.5.1 lets a
// replacement do the same: "the service provider MAY assign a default value to the final
// resource representation".
extension SQLTarget {
    /// `row` with each NULL in a NOT NULL column that has a DEFAULT replaced by that default,
    /// as the database evaluates it now (so `CURRENT_TIMESTAMP` is this write's time). Only
    /// when ``fillsColumnDefaults`` is on; the replication pipeline writes what the mapping
    /// gives, and a target that refuses it is reported, not papered over.
    func withColumnDefaults(_ row: Row, table: MappedTable, kind: TargetOperation, result: inout ApplyResult)
        throws(TargetError) -> Row
    {
        guard fillsColumnDefaults else { return row }
        let indexes = row.values.indices.filter { index in
            row.values[index] == .null && !row.columns[index].caseInsensitiveEquals(table.mapper.idColumn)
                && table.table.isNotNullWithDefault(row.columns[index])
        }
        guard !indexes.isEmpty else { return row }
        let name = table.table.name
        var expressions: [String] = []
        for index in indexes {
            let column = row.columns[index]
            switch dialect {
            case .mariaDB:
                expressions.append("DEFAULT(\(dialect.quote(table.table.column(column))))")
            case .postgres, .sqlite, .sqlServer:
                // The catalog's own text of a DEFAULT the database accepted when the table was
                // created (SQL Server's COLUMN_DEFAULT: `((0))`, `(getdate())`): a constant
                // expression, not client input.
                guard let expression = table.table.defaultExpression(column) else { return row }
                expressions.append("(\(expression))")
            }
        }
        // MariaDB evaluates DEFAULT(column) against a row of the table; the row being replaced
        // is one. PostgreSQL and SQLite evaluate the expressions alone.
        let from = if case .mariaDB = dialect { " FROM \(dialect.table(name)) LIMIT 1" } else { "" }
        let rows = try query(SQLStatement(sql: "SELECT " + expressions.joined(separator: ", ") + from), kind, name, &result)
        guard let defaults = rows.first, defaults.values.count == indexes.count else { return row }
        var values = row.values
        for (index, value) in zip(indexes, defaults.values) { values[index] = value }
        return Row(columns: row.columns, values: values)
    }
}
