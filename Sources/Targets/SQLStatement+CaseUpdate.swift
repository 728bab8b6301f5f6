import Directory

extension SQLDialect {
    /// Sets `column` of each row whose `key` is the first value of a pair to the pair's second
    /// value, in one statement:
    /// `UPDATE t SET c = CASE k WHEN ? THEN ? … END WHERE k IN (?, …)`.
    ///
    /// The keys must be distinct (the first matching WHEN wins, where separate statements would
    /// let the last one win). `valueType` is PostgreSQL's name of `column`'s type: there the
    /// values are cast to it, since a CASE whose branches are all untyped parameters (or NULL)
    /// resolves to `text`, which PostgreSQL will not assign to an integer or uuid column
    /// (docs, "UNION, CASE, and Related Constructs"). The other dialects ignore it.
    public func update(
        _ table: String, set column: String, byKey key: String, _ pairs: [(key: SQLValue, value: SQLValue)],
        valueType: String? = nil
    ) -> SQLStatement {
        var builder = StatementBuilder(self)
        builder.append(dml("UPDATE") + " \(self.table(table)) SET \(quote(column)) = CASE \(quote(key))")
        for pair in pairs {
            builder.append(" WHEN ")
            builder.bind(pair.key)
            builder.append(" THEN ")
            switch (self, valueType) {
            case (.postgres, let type?):
                builder.append("CAST(")
                builder.bind(pair.value)
                builder.append(" AS \(type))")
            case (.postgres, nil), (.mariaDB, _), (.sqlite, _), (.sqlServer, _):
                builder.bind(pair.value)
            }
        }
        builder.append(" END WHERE ")
        builder.bindIn(key, pairs.map(\.key))
        return builder.statement
    }
}
