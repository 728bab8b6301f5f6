import TestSupport
import Directory
import SQLClients
import Testing

/// Every column type a directory table is likely to use, written once as SQL literals through
/// the text protocol and once as bound parameters, and read back through the binary protocol.
@Suite struct MariaDBTypeTests {
    static let columns = """
        id INT PRIMARY KEY,
        flag TINYINT(1), tiny_u TINYINT UNSIGNED, small SMALLINT, medium MEDIUMINT, regular INT,
        big BIGINT, big_u BIGINT UNSIGNED,
        f FLOAT, d DOUBLE, amount DECIMAL(10,2),
        code CHAR(3), name VARCHAR(50), body TEXT, data BLOB, raw VARBINARY(8),
        bit1 BIT(1), bit12 BIT(12),
        day DATE, moment DATETIME(6), stamp TIMESTAMP NULL DEFAULT NULL, duration TIME(3),
        doc JSON, size ENUM('small', 'large'), tags SET('x', 'y', 'z'), yr YEAR
        """

    static let literals = """
        1, 1, 255, -32768, -8388608, 2147483647, -9223372036854775808, 18446744073709551615,
        3.14, 2.718281828459045, 12345678.90,
        'abc', 'héllo 👋 wörld', 'line one\\nline two', x'000102FF00', x'DEADBEEF',
        b'1', b'101010111100',
        '2024-02-29', '2024-02-29 23:59:58.123456', '2024-03-01 12:34:56', '-123:45:06.789',
        '{"a": [1, 2]}', 'large', 'x,z', 2024
        """

    /// The row both inserts must produce, in column order (after `id`).
    static let expected: [(String, SQLValue)] = [
        ("flag", .int(1)),
        ("tiny_u", .uint(255)),
        ("small", .int(-32768)),
        ("medium", .int(-8_388_608)),
        ("regular", .int(2_147_483_647)),
        ("big", .int(Int64.min)),
        ("big_u", .uint(UInt64.max)),
        ("f", .double(3.14)),
        ("d", .double(2.718281828459045)),
        ("amount", .decimal("12345678.90")),
        ("code", .text("abc")),
        ("name", .text("héllo 👋 wörld")),
        ("body", .text("line one\nline two")),
        ("data", .bytes([0x00, 0x01, 0x02, 0xFF, 0x00])),
        ("raw", .bytes([0xDE, 0xAD, 0xBE, 0xEF])),
        ("bit1", .bits(1, width: 1)),
        ("bit12", .bits(0xABC, width: 12)),
        ("day", .date(SQLDate(year: 2024, month: 2, day: 29))),
        ("moment", .dateTime(SQLDateTime(
            date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 123_456
        ))),
        ("stamp", .timestamp(SQLDateTime(date: SQLDate(year: 2024, month: 3, day: 1), hour: 12, minute: 34, second: 56))),
        ("duration", .time(SQLTime(negative: true, hours: 123, minutes: 45, seconds: 6, microseconds: 789_000))),
        ("doc", .json(#"{"a": [1, 2]}"#)),
        ("size", .text("large")),
        ("tags", .text("x,z")),
        ("yr", .int(2024)),
    ]

    static func expectedRow(id: Int64) -> Row {
        Row(columns: ["id"] + expected.map(\.0), values: [.int(id)] + expected.map(\.1))
    }

    @Test func literalsReadBackAsTypedValues() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("types_literal")
        try connection.execute("CREATE TABLE \(table) (\(Self.columns)) CHARACTER SET utf8mb4")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.execute("INSERT INTO \(table) VALUES (\(Self.literals))")

        let rows = try connection.query("SELECT * FROM \(table)")
        try #require(rows.count == 1)
        let row = rows[0]
        #expect(row.columns == Self.expectedRow(id: 1).columns)
        for (column, value) in Self.expected {
            #expect(row[column] == value, "column \(column)")
        }
    }

    @Test func boundParametersRoundTrip() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("types_bound")
        try connection.execute("CREATE TABLE \(table) (\(Self.columns)) CHARACTER SET utf8mb4")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let values: [SQLValue] = [.int(2)] + Self.expected.map(\.1)
        let markers = Array(repeating: "?", count: values.count).joined(separator: ", ")
        try connection.query("INSERT INTO \(table) VALUES (\(markers))", values)

        let rows = try connection.query("SELECT * FROM \(table) WHERE id = ?", [.int(2)])
        try #require(rows.count == 1)
        for (column, value) in Self.expected {
            #expect(rows[0][column] == value, "column \(column)")
        }
        #expect(rows == [Self.expectedRow(id: 2)])
    }

    @Test func nullsReadBackAsNullInEveryType() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("types_null")
        try connection.execute("CREATE TABLE \(table) (\(Self.columns)) CHARACTER SET utf8mb4")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        try connection.execute("INSERT INTO \(table) (id) VALUES (3)")
        let nullParameters = Array(repeating: SQLValue.null, count: Self.expected.count)
        let markers = Array(repeating: "?", count: Self.expected.count + 1).joined(separator: ", ")
        try connection.query("INSERT INTO \(table) VALUES (\(markers))", [.int(4)] + nullParameters)

        let rows = try connection.query("SELECT * FROM \(table) ORDER BY id")
        #expect(rows.map { $0["id"] } == [.int(3), .int(4)])
        for row in rows {
            #expect(Array(row.values.dropFirst()) == nullParameters)
        }
        #expect(try connection.query("SELECT NULL AS nothing") == [Row(["nothing": .null])])
    }

    @Test func emptyStringsAndLargeValuesAreReadWhole() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("types_size")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, body LONGTEXT, data LONGBLOB)")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let large = String(repeating: "0123456789abcdef", count: 40_000)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try connection.query("INSERT INTO \(table) VALUES (?, ?, ?), (?, ?, ?)", [
            .int(1), .text(""), .bytes([]),
            .int(2), .text(large), .bytes(bytes),
        ])
        let rows = try connection.query("SELECT body, data FROM \(table) ORDER BY id")
        #expect(rows == [
            Row(["body": .text(""), "data": .bytes([])]),
            Row(["body": .text(large), "data": .bytes(bytes)]),
        ])
    }
}
