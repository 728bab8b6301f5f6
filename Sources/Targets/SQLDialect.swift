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

    /// The most parameters one statement may bind.
    ///
    /// - SQLite: SQLITE_MAX_VARIABLE_NUMBER, 32766 since 3.32 ("Limits In SQLite", §9).
    /// - PostgreSQL: the Bind message counts parameters in an Int16 field; 65535 is the
    ///   protocol's ceiling (PostgreSQL docs, "Message Formats", Bind).
    /// - MariaDB/MySQL: COM_STMT_PREPARE reports the count in two bytes (65535).
    public var maxParameters: Int {
        switch self {
        case .mariaDB: 65535
        case .postgres: 65535
        case .sqlite: 32766
        }
    }

    /// The most rows one multi-row statement carries, whatever the parameter limit allows:
    /// it keeps a statement well below MariaDB's `max_allowed_packet` (16 MiB by default)
    /// with long text values.
    public static let maxRowsPerStatement = 1000
    /// The most terms an OR list may have: SQLite's parser makes a tree one level deeper per
    /// term and refuses depths beyond 1000 (SQLITE_MAX_EXPR_DEPTH).
    public static let maxOrTerms = 500

    /// Whether `ORDER BY x ASC` puts the rows where `x` is NULL first (and `DESC` last):
    /// MariaDB and SQLite do; PostgreSQL does the opposite ("NULLS LAST is the default for
    /// ASC order", PostgreSQL docs, "SELECT", ORDER BY Clause).
    var sortsNullsFirstAscending: Bool {
        switch self {
        case .mariaDB, .sqlite: true
        case .postgres: false
        }
    }

    /// How many rows of `columnsPerRow` values fit one statement.
    public func rowsPerStatement(columnsPerRow: Int) -> Int {
        max(1, min(Self.maxRowsPerStatement, maxParameters / max(columnsPerRow, 1)))
    }

    /// `name` as a quoted identifier, with the quote character doubled inside it (MariaDB
    /// manual, "Identifier Names"; PostgreSQL docs §4.1.1; SQLite "SQLite Keywords").
    public func quote(_ name: String) -> String {
        switch self {
        case .mariaDB: "`" + name.replacingAll("`", with: "``") + "`"
        case .postgres, .sqlite: "\"" + name.replacingAll("\"", with: "\"\"") + "\""
        }
    }

    /// A table name as statements write it: in PostgreSQL qualified with the schema, elsewhere
    /// the connection's database (MariaDB) or file (SQLite) holds it.
    public func table(_ name: String) -> String {
        switch self {
        case .mariaDB, .sqlite: quote(name)
        case .postgres(let schema): quote(schema) + "." + quote(name)
        }
    }

    /// The marker of the `index`th parameter of a statement, counted from 1.
    public func placeholder(_ index: Int) -> String {
        switch self {
        case .mariaDB, .sqlite: "?"
        case .postgres: "$\(index)"
        }
    }

    /// What runs right after BEGIN so that deferrable foreign keys are checked at COMMIT:
    /// PostgreSQL's `SET CONSTRAINTS ALL DEFERRED` (affects only constraints declared
    /// DEFERRABLE; docs "SET CONSTRAINTS"), SQLite's `PRAGMA defer_foreign_keys` (every
    /// foreign key, reset at the end of the transaction; "PRAGMA defer_foreign_keys").
    /// MariaDB/MySQL cannot defer (InnoDB checks each row at once), so there the order of
    /// ``ResourceOp/ordered(_:)`` alone keeps the keys intact.
    public var deferForeignKeysStatement: String? {
        switch self {
        case .mariaDB: nil
        case .postgres: "SET CONSTRAINTS ALL DEFERRED"
        case .sqlite: "PRAGMA defer_foreign_keys = ON"
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
