import Directory

// SQL Server has no `ON CONFLICT` / `ON DUPLICATE KEY`. Its one-statement upsert, MERGE, is
// avoided: under concurrency it can still fail with duplicate keys unless it takes HOLDLOCK,
// and it has a long list of documented defects (Aaron Bertrand, "Use Caution with SQL
// Server's MERGE Statement"; Microsoft's MERGE docs: "To avoid ... race conditions, use the
// HOLDLOCK or SERIALIZABLE hint"). The classic pattern instead: UPDATE under an update lock
// held to the end of the transaction (SERIALIZABLE also locks the key range where the row is
// absent, so a concurrent writer of the same key waits), then INSERT only what is still
// missing. Both statements name every value as a parameter; the batch runs inside the
// target's transaction, so a row is written whole or not at all, and replaying the batch
// leaves the same rows.
extension SQLDialect {
    /// The table hints of the SQL Server upsert: `UPDLOCK` keeps other writers of the rows
    /// (or of the empty key range) waiting until COMMIT, `SERIALIZABLE` (HOLDLOCK) makes
    /// the range lock last that long ("Table Hints (Transact-SQL)").
    static let sqlServerUpsertHints = " WITH (UPDLOCK, SERIALIZABLE)"

    /// SQL Server's upsert: for each row, `UPDATE … WITH (UPDLOCK, SERIALIZABLE) SET c = @p2 …
    /// WHERE key = @p1;` then `INSERT INTO … (key, c …) SELECT @p1, @p2 … WHERE NOT EXISTS
    /// (SELECT 1 FROM … WITH (UPDLOCK, SERIALIZABLE) WHERE key = @p1);`, each value bound once
    /// and named by both statements. With no column besides the key, only the INSERT.
    func sqlServerUpsert(table: String, columns: [String], key: String, rows: [[SQLValue]], binaryColumns: Set<String>)
        -> SQLStatement
    {
        var builder = StatementBuilder(self)
        let name = self.table(table)
        let keyIndex = columns.firstIndex { $0.caseInsensitiveEquals(key) } ?? 0
        let columnList = columns.map(quote).joined(separator: ", ")
        for row in rows {
            let markers = row.indices.map { index in
                sqlServerValue(builder.parameter(row[index]), column: columns[index], binaryColumns: binaryColumns)
            }
            let keyCondition = "\(quote(columns[keyIndex])) = \(markers[keyIndex])"
            let assignments = columns.indices.filter { $0 != keyIndex }.map { "\(quote(columns[$0])) = \(markers[$0])" }
            if !assignments.isEmpty {
                builder.append(
                    dml("UPDATE") + " \(name)\(Self.sqlServerUpsertHints) SET " + assignments.joined(separator: ", ")
                        + " WHERE \(keyCondition);\n")
            }
            builder.append(
                dml("INSERT") + " INTO \(name) (\(columnList)) SELECT " + markers.joined(separator: ", ")
                    + " WHERE NOT EXISTS (SELECT 1 FROM \(name)\(Self.sqlServerUpsertHints) WHERE \(keyCondition));\n")
        }
        return builder.statement
    }

    /// SQL Server's insert-if-absent: for each row `INSERT INTO … SELECT @p1, @p2 WHERE NOT
    /// EXISTS (SELECT 1 FROM … WITH (UPDLOCK, SERIALIZABLE) WHERE a = @p1 AND b = @p2);`.
    /// `columns` are the table's key (a membership's user and group). A foreign key failure
    /// still fails the statement, as it must: a membership of a missing user is an error.
    func sqlServerInsertIfAbsent(table: String, columns: [String], rows: [[SQLValue]]) -> SQLStatement {
        var builder = StatementBuilder(self)
        let name = self.table(table)
        let columnList = columns.map(quote).joined(separator: ", ")
        for row in rows {
            let markers = row.map { builder.parameter($0) }
            let condition = zip(columns, markers).map { "\(quote($0)) = \($1)" }.joined(separator: " AND ")
            builder.append(
                dml("INSERT") + " INTO \(name) (\(columnList)) SELECT " + markers.joined(separator: ", ")
                    + " WHERE NOT EXISTS (SELECT 1 FROM \(name)\(Self.sqlServerUpsertHints) WHERE \(condition));\n")
        }
        return builder.statement
    }
}

extension SQLDialect {
    /// `marker` as a value for `column`: `CONVERT(varbinary(max), @pN)` for a column holding
    /// bytes. A parameter without a value (NULL) travels as nvarchar, which SQL Server will not
    /// convert to varbinary by itself (error 257, "Implicit conversion from data type
    /// nvarchar(max) to varbinary(max) is not allowed"); CONVERT leaves bytes as they are.
    func sqlServerValue(_ marker: String, column: String, binaryColumns: Set<String>) -> String {
        binaryColumns.contains(column.lowercased()) ? "CONVERT(varbinary(max), \(marker))" : marker
    }
}

extension StatementBuilder {
    /// Binds `value` as a new parameter and returns its marker without writing it, for a
    /// statement that names the value more than once (numbered markers only).
    mutating func parameter(_ value: SQLValue) -> String {
        appendParameter(value)
        return dialect.placeholder(parameters.count)
    }
}
