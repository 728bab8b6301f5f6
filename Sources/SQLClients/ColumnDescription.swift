/// One column of a table, as the database's catalog describes it. Used to check a configured
/// layout against the real tables before anything is read or written.
public struct ColumnDescription: Sendable, Hashable {
    public var name: String
    /// The type exactly as the database reports it: MariaDB's `COLUMN_TYPE` (`"tinyint(1)"`,
    /// `"varchar(255)"`, `"bit(1)"`), PostgreSQL's `data_type` (`"character varying"`,
    /// `"boolean"`), SQLite's declared type (`"TEXT"`, or `""` when none was declared).
    public var sqlType: String
    public var nullable: Bool
    /// Part of the table's primary key (alone or with other columns).
    public var isPrimaryKey: Bool
    /// The database numbers new rows in this column and never hands a number out twice:
    /// MariaDB's `AUTO_INCREMENT`, a PostgreSQL identity or `serial` column, SQLite's
    /// `INTEGER PRIMARY KEY AUTOINCREMENT` (without AUTOINCREMENT SQLite reuses the highest
    /// number once its row is deleted, so such a column does not count).
    public var isGenerated: Bool
    /// The column has a DEFAULT: an INSERT that leaves it out stores that.
    public var hasDefault: Bool
    /// The DEFAULT as an SQL expression the database evaluates in a `SELECT`: PostgreSQL's
    /// `column_default` (`'active'::character varying`, `now()`), SQLite's `dflt_value` as
    /// written in `CREATE TABLE`. Nil for MariaDB/MySQL, whose catalog writes a text default
    /// quoted or not depending on the server (MySQL does not quote it): there `DEFAULT(column)`
    /// evaluates it.
    public var defaultExpression: String?

    public init(
        name: String, sqlType: String, nullable: Bool, isPrimaryKey: Bool, isGenerated: Bool = false, hasDefault: Bool = false,
        defaultExpression: String? = nil
    ) {
        self.hasDefault = hasDefault
        self.defaultExpression = defaultExpression
        self.name = name
        self.sqlType = sqlType
        self.nullable = nullable
        self.isPrimaryKey = isPrimaryKey
        self.isGenerated = isGenerated
    }
}
