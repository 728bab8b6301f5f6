import TestSupport
import Directory
import SQLClients
import Testing

/// The column types a directory table is likely to use, written once as SQL literals and once
/// as parameters, and read back typed.
@Suite struct PostgresTypeTests {
    static let columns = """
        id integer PRIMARY KEY,
        flag boolean, small smallint, regular integer, big bigint, amount numeric(12,3), ratio double precision,
        name text, code varchar(10), letter char(3), data bytea,
        day date, moment timestamp(6), stamp timestamptz, clock time,
        doc json, docb jsonb, key uuid, mask bit(12)
        """

    static let literals = """
        1, true, -32768, 2147483647, -9223372036854775808, 123456789.125, 2.718281828459045,
        'héllo 👋 ''quoted''', 'abc', 'xy', '\\x0001feff',
        '2024-02-29', '2024-02-29 23:59:58.123456', '2024-03-01 14:34:56.5+02', '13:45:00.25',
        '{"b": 1, "a": [1, 2]}', '{"b": 1, "a": [1, 2]}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', B'101010111100'
        """

    static let expected: [(String, SQLValue)] = [
        ("flag", .bool(true)),
        ("small", .int(-32768)),
        ("regular", .int(2_147_483_647)),
        ("big", .int(Int64.min)),
        ("amount", .decimal("123456789.125")),
        ("ratio", .double(2.718281828459045)),
        ("name", .text("héllo 👋 'quoted'")),
        ("code", .text("abc")),
        // char(n) pads with spaces.
        ("letter", .text("xy ")),
        ("data", .bytes([0x00, 0x01, 0xFE, 0xFF])),
        ("day", .date(SQLDate(year: 2024, month: 2, day: 29))),
        ("moment", .dateTime(SQLDateTime(
            date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 123_456
        ))),
        // 14:34:56.5 at +02 is 12:34:56.5 UTC.
        ("stamp", .timestamp(SQLDateTime(
            date: SQLDate(year: 2024, month: 3, day: 1), hour: 12, minute: 34, second: 56, microsecond: 500_000
        ))),
        ("clock", .time(SQLTime(hours: 13, minutes: 45, seconds: 0, microseconds: 250_000))),
        // json keeps the text, jsonb normalises it.
        ("doc", .json(#"{"b": 1, "a": [1, 2]}"#)),
        ("docb", .json(#"{"a": [1, 2], "b": 1}"#)),
        ("key", .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
        ("mask", .bits(0xABC, width: 12)),
    ]

    @Test func literalsReadBackAsTypedValues() throws {
        let connection = try TestServers.postgres()
        let table = TestServers.uniqueName("types_literal")
        try connection.execute("CREATE TABLE \(table) (\(Self.columns))")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.execute("INSERT INTO \(table) VALUES (\(Self.literals))")

        let rows = try connection.query("SELECT * FROM \(table)")
        try #require(rows.count == 1)
        #expect(rows[0].columns == ["id"] + Self.expected.map(\.0))
        for (column, value) in Self.expected {
            #expect(rows[0][column] == value, "column \(column)")
        }
    }

    @Test func boundParametersRoundTrip() throws {
        let connection = try TestServers.postgres()
        let table = TestServers.uniqueName("types_bound")
        try connection.execute("CREATE TABLE \(table) (\(Self.columns))")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let values: [SQLValue] = [.int(2)] + Self.expected.map(\.1)
        let markers = (1...values.count).map { "$\($0)" }.joined(separator: ", ")
        try connection.query("INSERT INTO \(table) VALUES (\(markers))", values)

        let rows = try connection.query("SELECT * FROM \(table) WHERE id = $1", [.int(2)])
        try #require(rows.count == 1)
        for (column, value) in Self.expected {
            #expect(rows[0][column] == value, "column \(column)")
        }
    }

    @Test func nullsReadBackAsNullInEveryType() throws {
        let connection = try TestServers.postgres()
        let table = TestServers.uniqueName("types_null")
        try connection.execute("CREATE TABLE \(table) (\(Self.columns))")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let nulls = Array(repeating: SQLValue.null, count: Self.expected.count)
        let markers = (1...(nulls.count + 1)).map { "$\($0)" }.joined(separator: ", ")
        try connection.query("INSERT INTO \(table) VALUES (\(markers))", [.int(3)] + nulls)
        let rows = try connection.query("SELECT * FROM \(table)")
        #expect(rows.count == 1)
        #expect(rows.first.map { Array($0.values) } == [.int(3)] + nulls)
    }

    @Test func specialNumbersAndOtherTypesKeepTheirMeaning() throws {
        let connection = try TestServers.postgres()
        let rows = try connection.query(
            "SELECT 'NaN'::float8 AS nan, '-Infinity'::float8 AS minus, $1::float8 AS inf, 'infinity'::date AS forever, "
                + "42::oid AS object, 1.50::numeric(5,2) AS money, ARRAY[1,2] AS list, false AS no",
            [.double(.infinity)]
        )
        try #require(rows.count == 1)
        let row = rows[0]
        guard case .double(let nan) = row["nan"] else {
            Issue.record("NaN is \(String(describing: row["nan"]))")
            return
        }
        #expect(nan.isNaN)
        #expect(row["minus"] == .double(-.infinity))
        #expect(row["inf"] == .double(.infinity))
        #expect(row["forever"] == .text("infinity"))
        #expect(row["object"] == .uint(42))
        #expect(row["money"] == .decimal("1.50"))
        #expect(row["list"] == .text("{1,2}"))
        #expect(row["no"] == .bool(false))
    }
}
