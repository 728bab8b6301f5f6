import Directory
import SQLClients

/// One statement with its parameters, in the dialect it was built for.
public struct SQLStatement: Sendable, Hashable {
    public var sql: String
    public var parameters: [SQLValue]
    /// Whether the text recurs, its markers typed by the text itself, so that a connection may
    /// prepare it once and execute it again (``TargetConnection/queryPrepared(_:_:)``).
    public var recurs: Bool

    public init(sql: String, parameters: [SQLValue] = [], recurs: Bool = false) {
        self.sql = sql
        self.parameters = parameters
        self.recurs = recurs
    }
}

/// Builds a statement's text and parameters together, so that PostgreSQL's numbered markers
/// always match the parameter they stand for.
struct StatementBuilder {
    let dialect: SQLDialect
    private(set) var sql = ""
    private(set) var parameters: [SQLValue] = []

    init(_ dialect: SQLDialect) {
        self.dialect = dialect
    }

    mutating func append(_ text: String) {
        sql += text
    }

    /// Adds `value` to the parameters without writing its marker.
    mutating func appendParameter(_ value: SQLValue) {
        parameters.append(value)
    }

    /// Appends the marker of a new parameter bound to `value`.
    mutating func bind(_ value: SQLValue) {
        parameters.append(value)
        sql += dialect.placeholder(parameters.count)
    }

    /// Appends `(?, ?, ...)` for the values, comma-separated rows when there are several.
    mutating func bindRows(_ rows: [[SQLValue]]) {
        switch dialect {
        case .mariaDB, .sqlite:
            // Markers without numbers: one row's text serves every row of its width.
            var rowText = ""
            var width = -1
            for (rowIndex, row) in rows.enumerated() {
                if row.count != width {
                    width = row.count
                    rowText = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
                }
                if rowIndex > 0 { sql += ", " }
                sql += rowText
                parameters += row
            }
            return
        case .postgres, .sqlServer:
            break
        }
        for (rowIndex, row) in rows.enumerated() {
            if rowIndex > 0 { sql += ", " }
            sql += "("
            for (index, value) in row.enumerated() {
                if index > 0 { sql += ", " }
                bind(value)
            }
            sql += ")"
        }
    }

    /// Appends `column IN (?, ?, ...)`; with one value `column = ?`.
    mutating func bindIn(_ column: String, _ values: [SQLValue]) {
        sql += dialect.quote(column)
        guard values.count != 1 else {
            sql += " = "
            bind(values[0])
            return
        }
        sql += " IN ("
        for (index, value) in values.enumerated() {
            if index > 0 { sql += ", " }
            bind(value)
        }
        sql += ")"
    }

    var statement: SQLStatement { SQLStatement(sql: sql, parameters: parameters) }

    /// The statement, marked as one whose text recurs (``SQLStatement/recurs``).
    var recurringStatement: SQLStatement { SQLStatement(sql: sql, parameters: parameters, recurs: true) }

    /// Appends `column IN (SELECT unnest($n::type[]))`: the values as one PostgreSQL array, a
    /// text that recurs whatever their number (``SQLStatement/recurs``).
    ///
    /// Not `column = ANY($n::type[])`: planned with its values, that form's cost grows with the
    /// number of keys faster than a scan of the whole table, so that past a few hundred keys
    /// PostgreSQL reads every row (2,000 keys against 300,000 rows: a sequential scan of
    /// 23 ms). The semi-join looks each key up in the index (4 ms there), so a statement's time
    /// follows its keys, not the table's size.
    mutating func bindAny(_ column: String, _ values: [SQLValue], type: String) {
        sql += dialect.quote(column) + " IN (SELECT unnest("
        bind(.text(PostgresArrayLiteral.text(values)))
        sql += "::" + type + "[]))"
    }

    /// Appends `SELECT * FROM unnest($1::type[], ...)`: the rows as one PostgreSQL array per
    /// column, each cast to its column's type. The text depends on the columns alone, not on
    /// how many rows there are, so the server can parse and plan it once; a multi-row VALUES
    /// list of 1,000 rows took about twice PostgreSQL's time per row, most of it parsing.
    mutating func bindColumnArrays(_ rows: [[SQLValue]], types: [String]) {
        sql += "SELECT * FROM unnest("
        for (index, type) in types.enumerated() {
            if index > 0 { sql += ", " }
            bind(.text(PostgresArrayLiteral.text(rows.lazy.map { $0[index] })))
            sql += "::" + type + "[]"
        }
        sql += ")"
    }
}

extension SQLDialect {
    /// Inserts `rows` into `table`, or where a row with the same `key` exists, overwrites its
    /// other `columns` with the new values: replaying the statement changes nothing more.
    ///
    /// - MariaDB/MySQL: `INSERT … ON DUPLICATE KEY UPDATE c = IF(key = VALUES(key),
    ///   VALUES(c), c)`. `VALUES()` is deprecated by MySQL 8.0.20 in favour of a row alias,
    ///   which MariaDB does not have; both still accept it. A clash on another UNIQUE key of
    ///   the table updates the row holding that key (MySQL manual, "INSERT … ON DUPLICATE KEY
    ///   UPDATE"): the guard leaves that row as it is, and the new row is then not inserted,
    ///   which the caller detects by counting the keys afterwards (see `SQLTarget.create`).
    /// - PostgreSQL: `INSERT … ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c`.
    /// - SQLite (3.24+): `INSERT … ON CONFLICT (key) DO UPDATE SET c = excluded.c`.
    /// - SQL Server: per row, `UPDATE t WITH (UPDLOCK, SERIALIZABLE) SET … WHERE key = @p1;`
    ///   then `INSERT INTO t … SELECT @p1, … WHERE NOT EXISTS (SELECT 1 FROM t WITH (UPDLOCK,
    ///   SERIALIZABLE) WHERE key = @p1);`, one batch for the rows, in the caller's
    ///   transaction (see ``sqlServerUpsert(table:columns:key:rows:)`` for why not MERGE).
    ///
    /// The rows must not repeat a key (PostgreSQL refuses to update one row twice in one
    /// statement); with no column besides the key, an existing row is left alone.
    ///
    /// `binaryColumns` (lowercased) are the columns holding bytes, which SQL Server needs to be
    /// told about (see `sqlServerValue`); the other dialects ignore them.
    ///
    /// `columnTypes`, PostgreSQL's type names for the columns (``TargetTable/castableType(_:)``),
    /// make PostgreSQL's statement `INSERT … SELECT * FROM unnest($1::type[], …) ON CONFLICT …`:
    /// one array per column, a text that recurs whatever the number of rows
    /// (``SQLStatement/recurs``).
    public func upsert(
        table: String, columns: [String], key: String, rows: [[SQLValue]], binaryColumns: Set<String> = [],
        columnTypes: [String]? = nil
    ) -> SQLStatement {
        if case .sqlServer = self {
            return sqlServerUpsert(table: table, columns: columns, key: key, rows: rows, binaryColumns: binaryColumns)
        }
        var (builder, recurs) = insertingRows(into: table, columns: columns, rows: rows, columnTypes: columnTypes)
        let others = columns.filter { !$0.caseInsensitiveEquals(key) }
        switch self {
        case .mariaDB:
            let assignments = others.isEmpty
                ? ["\(quote(key)) = \(quote(key))"]
                : others.map { "\(quote($0)) = IF(\(quote(key)) = VALUES(\(quote(key))), VALUES(\(quote($0))), \(quote($0)))" }
            builder.append(" ON DUPLICATE KEY UPDATE " + assignments.joined(separator: ", "))
        case .postgres, .sqlite:
            if others.isEmpty {
                builder.append(" ON CONFLICT (\(quote(key))) DO NOTHING")
            } else {
                let assignments = others.map { "\(quote($0)) = EXCLUDED.\(quote($0))" }
                builder.append(" ON CONFLICT (\(quote(key))) DO UPDATE SET " + assignments.joined(separator: ", "))
            }
        case .sqlServer:
            break
        }
        return SQLStatement(sql: builder.sql, parameters: builder.parameters, recurs: recurs)
    }

    /// `INSERT INTO t (columns) ` and the rows: PostgreSQL's arrays when `columnTypes` names a
    /// type for every column (a text that recurs), a VALUES list otherwise.
    private func insertingRows(into table: String, columns: [String], rows: [[SQLValue]], columnTypes: [String]?)
        -> (builder: StatementBuilder, recurs: Bool)
    {
        var builder = StatementBuilder(self)
        builder.append("INSERT INTO \(self.table(table)) (\(columns.map(quote).joined(separator: ", "))) ")
        if let arrays = postgresArrayTypes(columnTypes, columns: columns) {
            builder.bindColumnArrays(rows, types: arrays)
            return (builder, true)
        }
        builder.append("VALUES ")
        builder.bindRows(rows)
        return (builder, false)
    }

    /// The column types of PostgreSQL's arrays, when `types` names one for every column.
    private func postgresArrayTypes(_ types: [String]?, columns: [String]) -> [String]? {
        guard case .postgres = self, let types, types.count == columns.count else { return nil }
        return types
    }

    /// Inserts `rows`; any clash on a key fails the statement.
    public func insert(table: String, columns: [String], rows: [[SQLValue]]) -> SQLStatement {
        var builder = StatementBuilder(self)
        builder.append(dml("INSERT") + " INTO \(self.table(table)) (\(columns.map(quote).joined(separator: ", "))) VALUES ")
        builder.bindRows(rows)
        return builder.statement
    }

    /// Inserts the `rows` that are not there yet (a row whose primary key exists is skipped).
    ///
    /// MariaDB/MySQL use `ON DUPLICATE KEY UPDATE c = c` (a no-op update) rather than
    /// `INSERT IGNORE`: IGNORE also turns foreign key failures into warnings (MySQL manual,
    /// "The Effect of IGNORE on Statement Execution"), and a membership of a missing user or
    /// group must fail the batch. PostgreSQL and SQLite use `ON CONFLICT DO NOTHING`, which
    /// covers uniqueness only (SQLite "The ON CONFLICT Clause": it "does not apply to FOREIGN
    /// KEY constraints"). SQL Server has neither: see
    /// ``sqlServerInsertIfAbsent(table:columns:rows:)``, where `columns` must be the key.
    ///
    /// `columnTypes` as for ``upsert(table:columns:key:rows:binaryColumns:columnTypes:)``.
    public func insertIfAbsent(table: String, columns: [String], rows: [[SQLValue]], columnTypes: [String]? = nil)
        -> SQLStatement
    {
        if case .sqlServer = self { return sqlServerInsertIfAbsent(table: table, columns: columns, rows: rows) }
        var (builder, recurs) = insertingRows(into: table, columns: columns, rows: rows, columnTypes: columnTypes)
        switch self {
        case .mariaDB:
            let first = quote(columns[0])
            builder.append(" ON DUPLICATE KEY UPDATE \(first) = \(first)")
        case .postgres, .sqlite:
            builder.append(" ON CONFLICT DO NOTHING")
        case .sqlServer:
            break
        }
        return SQLStatement(sql: builder.sql, parameters: builder.parameters, recurs: recurs)
    }

    /// Deletes the rows whose `column` is one of `values`; absent rows are no error.
    ///
    /// `keyType`, PostgreSQL's name of `column`'s type, makes PostgreSQL's statement for more
    /// than one value `column IN (SELECT unnest($1::type[]))`, a text that recurs
    /// (``SQLStatement/recurs``); otherwise `column IN (…)`.
    public func delete(from table: String, where column: String, in values: [SQLValue], keyType: String? = nil)
        -> SQLStatement
    {
        var builder = StatementBuilder(self)
        builder.append(dml("DELETE") + " FROM \(self.table(table)) WHERE ")
        if case .postgres = self, let keyType, values.count > 1 {
            builder.bindAny(column, values, type: keyType)
            return builder.recurringStatement
        }
        builder.bindIn(column, values)
        return builder.statement
    }

    /// Deletes the rows whose (`first`, `second`) is one of `pairs`, as
    /// `(a = ? AND b = ?) OR …`, which every engine's optimizer turns into key lookups.
    ///
    /// `keyTypes`, PostgreSQL's names of the two columns' types, make PostgreSQL's statement for
    /// more than one pair `(a, b) IN (SELECT * FROM unnest($1::type[], $2::type[]))`, a text
    /// that recurs (``SQLStatement/recurs``).
    public func delete(
        from table: String, where first: String, _ second: String, in pairs: [(SQLValue, SQLValue)],
        keyTypes: [String]? = nil
    ) -> SQLStatement {
        var builder = StatementBuilder(self)
        builder.append(dml("DELETE") + " FROM \(self.table(table)) WHERE ")
        if let types = postgresArrayTypes(keyTypes, columns: [first, second]), pairs.count > 1 {
            builder.append("(\(quote(first)), \(quote(second))) IN (")
            builder.bindColumnArrays(pairs.map { [$0.0, $0.1] }, types: types)
            builder.append(")")
            return builder.recurringStatement
        }
        for (index, pair) in pairs.enumerated() {
            if index > 0 { builder.append(" OR ") }
            builder.append("(\(quote(first)) = ")
            builder.bind(pair.0)
            builder.append(" AND \(quote(second)) = ")
            builder.bind(pair.1)
            builder.append(")")
        }
        return builder.statement
    }

    /// Sets `assignments` on the rows whose `column` is one of `values`, and, when `guardColumn`
    /// is given, still holds `guardValue` (clearing a user's group only if it is still that one).
    /// `binaryColumns` as for ``upsert(table:columns:key:rows:binaryColumns:)``.
    ///
    /// `keyType` as for ``delete(from:where:in:keyType:)``, for PostgreSQL's statement without
    /// `guardColumn`: its other markers are assignments, which the column types.
    public func update(
        _ table: String, set assignments: [(column: String, value: SQLValue)], where column: String,
        in values: [SQLValue], andWhere guardColumn: (column: String, value: SQLValue)? = nil,
        binaryColumns: Set<String> = [], keyType: String? = nil
    ) -> SQLStatement {
        var builder = StatementBuilder(self)
        builder.append(dml("UPDATE") + " \(self.table(table)) SET ")
        for (index, assignment) in assignments.enumerated() {
            if index > 0 { builder.append(", ") }
            builder.append("\(quote(assignment.column)) = ")
            if case .sqlServer = self, binaryColumns.contains(assignment.column.lowercased()) {
                let marker = builder.parameter(assignment.value)
                builder.append(sqlServerValue(marker, column: assignment.column, binaryColumns: binaryColumns))
            } else {
                builder.bind(assignment.value)
            }
        }
        builder.append(" WHERE ")
        if case .postgres = self, let keyType, values.count > 1, guardColumn == nil {
            builder.bindAny(column, values, type: keyType)
            return builder.recurringStatement
        }
        builder.bindIn(column, values)
        if let guardColumn {
            builder.append(" AND \(quote(guardColumn.column)) = ")
            builder.bind(guardColumn.value)
        }
        return builder.statement
    }

    /// Counts the rows whose `key` is one of `values`.
    public func count(from table: String, where key: String, in values: [SQLValue]) -> SQLStatement {
        var builder = StatementBuilder(self)
        builder.append("SELECT COUNT(*) FROM \(self.table(table)) WHERE ")
        builder.bindIn(key, values)
        return builder.statement
    }

    /// Reads `columns` of the rows whose `key` is one of `values`.
    /// `keyType`, PostgreSQL's name of `key`'s type, makes PostgreSQL's statement for more than
    /// one value `key IN (SELECT unnest($1::type[]))`, one parameter however many values come; otherwise
    /// `key IN (…)`. It is not marked as recurring: a statement prepared while the table was
    /// nearly empty keeps a plan that scans the whole table once it is not (until the server
    /// analyzes the table again), where one planned with its values and the table's size
    /// uses the key's index.
    public func select(
        _ columns: [String], from table: String, where key: String, in values: [SQLValue], keyType: String? = nil
    ) -> SQLStatement {
        var builder = StatementBuilder(self)
        builder.append("SELECT \(columns.map(quote).joined(separator: ", ")) FROM \(self.table(table)) WHERE ")
        if case .postgres = self, let keyType, values.count > 1 {
            builder.bindAny(key, values, type: keyType)
        } else {
            builder.bindIn(key, values)
        }
        return builder.statement
    }
}
