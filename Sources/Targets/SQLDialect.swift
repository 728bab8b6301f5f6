/// How one kind of SQL database spells what a target writes: quoted identifiers, parameter
/// markers, upserts, insert-if-absent and the limits of one statement.
///
/// Identifiers reach here already validated by the layout (plain SQL identifiers); quoting
/// still escapes the quote character, so a name can never end the quoted identifier early.
/// Values never appear in the SQL text: every statement takes them as parameters.
public enum SQLDialect: Sendable, Hashable {
    /// MariaDB or MySQL (libmariadb): backtick quoting, `?` markers.
    case mariaDB
    /// PostgreSQL (libpq): double-quote quoting, `$1` markers, tables in `schema`.
    case postgres(schema: String)
    /// SQLite (GRDB): double-quote quoting, `?` markers.
    case sqlite
    /// Microsoft SQL Server (FreeTDS db-lib, `sp_executesql`): bracket quoting, `@p1` markers,
    /// tables in `schema`.
    case sqlServer(schema: String)

    /// The collation of SQL Server id columns that `init-target` creates: binary, so that ids
    /// are case-exact keys and sort in the order reconciliation reads them in.
    public static let sqlServerBinaryCollation = "Latin1_General_100_BIN2"

    /// The most parameters one statement may bind.
    ///
    /// - SQLite: SQLITE_MAX_VARIABLE_NUMBER, 32766 since 3.32 ("Limits In SQLite", §9).
    /// - PostgreSQL: the Bind message counts parameters in an Int16 field; 65535 is the
    ///   protocol's ceiling (PostgreSQL docs, "Message Formats", Bind).
    /// - MariaDB/MySQL: COM_STMT_PREPARE reports the count in two bytes (65535).
    /// - SQL Server: "Parameters per stored procedure: 2,100" ("Maximum capacity
    ///   specifications for SQL Server"), which an `sp_executesql` call is bound by; 2000
    ///   leaves room for the echo context a pipeline's writes add.
    public var maxParameters: Int {
        switch self {
        case .mariaDB: 65535
        case .postgres: 65535
        case .sqlite: 32766
        case .sqlServer: 2000
        }
    }

    /// The most rows one multi-row statement carries, whatever the parameter limit allows:
    /// it keeps a statement well below MariaDB's `max_allowed_packet` (16 MiB by default)
    /// with long text values. It is also SQL Server's limit of row value expressions in one
    /// `INSERT … VALUES` (error 10738).
    public static let maxRowsPerStatement = 1000
    /// The most terms an OR list may have: SQLite's parser makes a tree one level deeper per
    /// term and refuses depths beyond 1000 (SQLITE_MAX_EXPR_DEPTH).
    public static let maxOrTerms = 500

    /// Whether `ORDER BY x ASC` puts the rows where `x` is NULL first (and `DESC` last):
    /// MariaDB and SQLite do; PostgreSQL does the opposite ("NULLS LAST is the default for
    /// ASC order", PostgreSQL docs, "SELECT", ORDER BY Clause); SQL Server treats "NULL values
    /// as the lowest possible values" ("SELECT - ORDER BY Clause (Transact-SQL)").
    var sortsNullsFirstAscending: Bool {
        switch self {
        case .mariaDB, .sqlite, .sqlServer: true
        case .postgres: false
        }
    }

    /// How many rows of `columnsPerRow` values fit one statement.
    public func rowsPerStatement(columnsPerRow: Int) -> Int {
        max(1, min(Self.maxRowsPerStatement, maxParameters / max(columnsPerRow, 1)))
    }

    /// `name` as a quoted identifier, with the quote character doubled inside it (MariaDB
    /// manual, "Identifier Names"; PostgreSQL docs §4.1.1; SQLite "SQLite Keywords"); SQL
    /// Server's delimited identifiers are bracketed, a `]` inside doubled as QUOTENAME does.
    public func quote(_ name: String) -> String {
        switch self {
        case .mariaDB: "`" + name.replacingAll("`", with: "``") + "`"
        case .postgres, .sqlite: "\"" + name.replacingAll("\"", with: "\"\"") + "\""
        case .sqlServer: "[" + name.replacingAll("]", with: "]]") + "]"
        }
    }

    /// A table name as statements write it: in PostgreSQL and SQL Server qualified with the
    /// schema, elsewhere the connection's database (MariaDB) or file (SQLite) holds it.
    public func table(_ name: String) -> String {
        switch self {
        case .mariaDB, .sqlite: quote(name)
        case .postgres(let schema), .sqlServer(let schema): quote(schema) + "." + quote(name)
        }
    }

    /// The schema the tables live in, where the database has schemas.
    public var schema: String? {
        switch self {
        case .postgres(let name), .sqlServer(let name): name
        case .mariaDB, .sqlite: nil
        }
    }

    /// The marker of the `index`th parameter of a statement, counted from 1. SQL Server's are
    /// the names `SQLServerConnection` gives its `sp_executesql` parameters.
    public func placeholder(_ index: Int) -> String {
        switch self {
        case .mariaDB, .sqlite: "?"
        case .postgres: "$\(index)"
        case .sqlServer: "@p\(index)"
        }
    }

    /// What ends a query, after its ORDER BY, to keep at most `limit` rows from `offset` on.
    /// SQL Server has no LIMIT: `OFFSET … ROWS FETCH NEXT … ROWS ONLY`, which needs an ORDER
    /// BY and at least one row to fetch (error 10744: "The number of rows provided for a
    /// FETCH clause must be greater then zero"); callers skip the query for zero rows.
    func limitClause(_ limit: Int, offset: Int = 0) -> String {
        switch self {
        case .mariaDB, .postgres, .sqlite:
            " LIMIT \(max(limit, 0))" + (offset > 0 ? " OFFSET \(offset)" : "")
        case .sqlServer:
            " OFFSET \(max(offset, 0)) ROWS FETCH NEXT \(max(limit, 1)) ROWS ONLY"
        }
    }

    /// The function counting a text's characters: `LENGTH`, or SQL Server's `LEN` (which
    /// leaves trailing spaces out: ids have none).
    var lengthFunction: String {
        if case .sqlServer = self { "LEN" } else { "LENGTH" }
    }

    /// What follows `SELECT` to keep at most `limit` rows of a query without ORDER BY: SQL
    /// Server's `TOP (n)`; nothing elsewhere, where ``limitSuffix(_:)`` does it.
    func topPrefix(_ limit: Int) -> String {
        if case .sqlServer = self { "TOP (\(limit)) " } else { "" }
    }

    /// What ends a query without ORDER BY to keep at most `limit` rows: ` LIMIT n`, or
    /// nothing in SQL Server, which takes ``topPrefix(_:)`` instead.
    func limitSuffix(_ limit: Int) -> String {
        if case .sqlServer = self { "" } else { " LIMIT \(limit)" }
    }

    /// The keyword starting a statement that changes rows (`INSERT`, `UPDATE`, `DELETE`): in
    /// SQL Server preceded by ``changeTrackingContextMarker``, which the connection replaces
    /// with `WITH CHANGE_TRACKING_CONTEXT (…)` for a pipeline's writes (so that a change
    /// tracking source reading the same tables can tell scimsync's writes from others) and
    /// drops for the others.
    func dml(_ keyword: String) -> String {
        if case .sqlServer = self { Self.changeTrackingContextMarker + keyword } else { keyword }
    }

    /// A comment standing where a SQL Server statement that changes rows may take a change
    /// tracking context; a statement run as it is ignores it.
    public static let changeTrackingContextMarker = "/*scimsync:context*/"

    /// What runs right after BEGIN so that deferrable foreign keys are checked at COMMIT:
    /// PostgreSQL's `SET CONSTRAINTS ALL DEFERRED` (affects only constraints declared
    /// DEFERRABLE; docs "SET CONSTRAINTS"), SQLite's `PRAGMA defer_foreign_keys` (every
    /// foreign key, reset at the end of the transaction; "PRAGMA defer_foreign_keys").
    /// MariaDB/MySQL cannot defer (InnoDB checks each row at once), nor can SQL Server (its
    /// constraints are not DEFERRABLE), so there the order of ``ResourceOp/ordered(_:)`` alone
    /// keeps the keys intact.
    public var deferForeignKeysStatement: String? {
        switch self {
        case .mariaDB, .sqlServer: nil
        case .postgres: "SET CONSTRAINTS ALL DEFERRED"
        case .sqlite: "PRAGMA defer_foreign_keys = ON"
        }
    }

    /// Whether the client refuses a text value holding NUL (U+0000): PostgreSQL's text cannot
    /// hold one, and SQLite's binding would cut it (SQLClients refuses it for both).
    var refusesNULInText: Bool {
        switch self {
        case .postgres, .sqlite: true
        case .mariaDB, .sqlServer: false
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free, since identifiers are short).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
