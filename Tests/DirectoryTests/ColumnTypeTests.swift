import Directory
import Testing

@Suite struct ColumnTypeTests {
    static let cases: [(String, ColumnType)] = [
        // MySQL / MariaDB, as COLUMN_TYPE reports them.
        ("tinyint(1)", .boolean(.tinyInt)),
        ("tinyint(1) unsigned", .boolean(.tinyInt)),
        ("tinyint(4)", .integer(unsigned: false)),
        ("bit(1)", .boolean(.bit)),
        ("bit(8)", .unknown("bit(8)")),
        ("char(1)", .text(maxLength: 1)),
        ("varchar(255)", .text(maxLength: 255)),
        ("int unsigned", .integer(unsigned: true)),
        ("int(10) unsigned zerofill", .integer(unsigned: true)),
        ("bigint", .integer(unsigned: false)),
        ("BIGINT(20)", .integer(unsigned: false)),
        ("decimal(10,2)", .decimal),
        ("double", .double),
        ("datetime(6)", .dateTime),
        ("datetime", .dateTime),
        ("timestamp", .timestamp),
        ("timestamp(3)", .timestamp),
        ("date", .date),
        ("text", .text(maxLength: nil)),
        ("longtext", .text(maxLength: nil)),
        ("enum('a','b')", .text(maxLength: nil)),
        ("json", .json),
        ("blob", .bytes),
        ("varbinary(16)", .bytes),
        ("time", .unknown("time")),
        // PostgreSQL, as information_schema and format_type report them.
        ("boolean", .boolean(.native)),
        ("character varying", .text(maxLength: nil)),
        ("character varying(100)", .text(maxLength: 100)),
        ("timestamp with time zone", .timestamp),
        ("timestamp(6) with time zone", .timestamp),
        ("timestamp without time zone", .dateTime),
        ("integer", .integer(unsigned: false)),
        ("double precision", .double),
        ("numeric", .decimal),
        ("jsonb", .json),
        ("uuid", .uuid),
        ("bytea", .bytes),
        // SQLite affinities.
        ("INTEGER", .integer(unsigned: false)),
        ("TEXT", .text(maxLength: nil)),
        ("REAL", .double),
        ("NUMERIC", .decimal),
        ("BLOB", .bytes),
        // SQL Server.
        ("bit", .boolean(.native)),
        ("nvarchar(100)", .text(maxLength: 100)),
        ("nvarchar(max)", .text(maxLength: nil)),
        ("datetime2", .dateTime),
        ("datetimeoffset", .timestamp),
        ("uniqueidentifier", .uuid),
        ("rowversion", .bytes),
        // Unknown types keep their text.
        ("geometry", .unknown("geometry")),
    ]

    @Test(arguments: cases)
    func classifies(sqlType: String, expected: ColumnType) {
        #expect(ColumnType(sqlType: sqlType) == expected)
    }

    @Test func oneCharacterTextHoldingABooleanIsYesNo() {
        #expect(ColumnType(sqlType: "char(1)", holdsBoolean: true) == .boolean(.yesNo))
        #expect(ColumnType(sqlType: "character(1)", holdsBoolean: true) == .boolean(.yesNo))
        #expect(ColumnType(sqlType: "varchar(1)", holdsBoolean: true) == .boolean(.yesNo))
        // Longer text stays text even when it holds a boolean: its spelling is unknown.
        #expect(ColumnType(sqlType: "varchar(5)", holdsBoolean: true) == .text(maxLength: 5))
    }

    @Test func integerHoldingABooleanIsZeroOne() {
        #expect(ColumnType(sqlType: "INTEGER", holdsBoolean: true) == .boolean(.tinyInt))
        #expect(ColumnType(sqlType: "smallint", holdsBoolean: true) == .boolean(.tinyInt))
    }

    @Test func typesUnaffectedByHoldsBoolean() {
        #expect(ColumnType(sqlType: "boolean", holdsBoolean: true) == .boolean(.native))
        #expect(ColumnType(sqlType: "bit(1)", holdsBoolean: true) == .boolean(.bit))
        #expect(ColumnType(sqlType: "datetime", holdsBoolean: true) == .dateTime)
    }
}
