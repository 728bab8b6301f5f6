import Directory
import Foundation
import SQLServerClient
import TestSupport
import Testing

/// Against a real TDS server (see `SQLServerTestServer` in TestSupport): fails when none starts.
@Suite
struct SQLServerConnectionTests {
    /// A table name of this test's own: the suites run in parallel on one server.
    private static func tableName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    @Test func logsIn() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let rows = try connection.query("SELECT 1 AS one")
            #expect(rows == [Row(["one": .int(1)])])
            #expect(!connection.isBroken)
        }
    }

    @Test func aWrongPasswordIsError18456() throws {
        try explained {
            let server = try SQLServerTestServer.server()
            let error = try #require(throws: SQLServerError.self) { try server.connect(password: "not-the-password") }
            #expect(error.number == 18456)
            #expect(error.kind == .loginFailed)
            #expect(error.operation == .connect)
            #expect(!error.description.contains("not-the-password"))
            #expect(!String(reflecting: error).contains("not-the-password"))
        }
    }

    @Test func parametersRoundTripWithTheirTypes() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let dateTime = SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 123_456)
            let values: [SQLValue] = [
                .int(-42), .int(Int64.max), .bool(true), .bool(false), .text("héllo 😀 𝄞 中文"), .bytes([0, 1, 0xfe, 0xff]),
                .dateTime(dateTime), .decimal("-12345.678"), .null, .text(""), .bytes([]),
            ]
            let select = "SELECT " + values.indices.map { "@p\($0 + 1) AS v\($0 + 1)" }.joined(separator: ", ")
            let rows = try connection.query(select, values)
            #expect(rows.count == 1)
            #expect(rows.first?.values == values)
        }
    }

    /// Every supported column type, written through parameters and read back, NULLs included.
    @Test func columnsOfEveryTypeRoundTrip() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let table = Self.tableName("types")
            try connection.execute("""
                CREATE TABLE \(table) (id INT PRIMARY KEY, t TINYINT, s SMALLINT, b BIGINT, f BIT, n NVARCHAR(MAX),
                  v VARCHAR(50), bin VARBINARY(MAX), dt2 DATETIME2(7), dt DATETIME, u UNIQUEIDENTIFIER, d DECIMAL(10,2))
                """)
            defer { _ = try? connection.execute("DROP TABLE \(table)") }
            let dateTime = SQLDateTime(date: SQLDate(year: 1999, month: 12, day: 31), hour: 12, minute: 30, second: 15, microsecond: 250_000)
            let full: [SQLValue] = [
                .int(1), .int(255), .int(-32768), .int(Int64.min), .bool(true), .text("𝄞 Ünïcødé"), .text("plain"),
                .bytes([1, 2, 3]), .dateTime(dateTime), .dateTime(SQLDateTime(date: dateTime.date, hour: 12, minute: 30, second: 15)),
                .text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), .decimal("12.50"),
            ]
            let columns = "id, t, s, b, f, n, v, bin, dt2, dt, u, d"
            // SQL Server converts a NULL nvarchar to a binary column only explicitly (error 257).
            let placeholders = (1...12).map { $0 == 8 ? "CONVERT(varbinary(max), @p8)" : "@p\($0)" }
                .joined(separator: ", ")
            try connection.query("INSERT INTO \(table) (\(columns)) VALUES (\(placeholders))", full)
            #expect(connection.affectedRowCount == 1)
            try connection.query("INSERT INTO \(table) (\(columns)) VALUES (\(placeholders))", [.int(2)] + Array(repeating: .null, count: 11))
            let rows = try connection.query("SELECT \(columns) FROM \(table) ORDER BY id")
            #expect(rows.count == 2)
            var expected = full
            expected[10] = .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
            #expect(rows.first?.values == expected)
            #expect(rows.last?.values == [.int(2)] + Array(repeating: .null, count: 11))
            #expect(rows.first?.columns == columns.components(separatedBy: ", "))
        }
    }

    /// 100 KB of NVARCHAR(MAX), beyond the 4000 characters of a plain NVARCHAR parameter and the
    /// 64 KB default text size, with characters outside the BMP.
    @Test func longTextRoundTrips() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let table = Self.tableName("long")
            try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, body NVARCHAR(MAX))")
            defer { _ = try? connection.execute("DROP TABLE \(table)") }
            let unit = "abcdefghij0123456789ÄÖÜ😀"
            let body = String(repeating: unit, count: 100_000 / unit.utf8.count + 1)
            try connection.query("INSERT INTO \(table) (id, body) VALUES (@p1, @p2)", [.int(1), .text(body)])
            let rows = try connection.query("SELECT body FROM \(table) WHERE id = @p1", [.int(1)])
            #expect(rows.first?["body"] == .text(body))
        }
    }

    @Test func errorsCarryTheirNumberAndLeaveTheConnectionUsable() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let missing = try #require(throws: SQLServerError.self) {
                try connection.query("SELECT * FROM no_such_table_\(UUID().uuidString.prefix(8))")
            }
            #expect(missing.number == 208)
            #expect(missing.kind == .invalidObject)
            #expect(missing.severity >= 11)
            #expect(!missing.connectionBroken)
            #expect(try connection.query("SELECT 1 AS one") == [Row(["one": .int(1)])])

            let table = Self.tableName("pk")
            try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
            defer { _ = try? connection.execute("DROP TABLE \(table)") }
            try connection.query("INSERT INTO \(table) (id) VALUES (@p1)", [.int(1)])
            let duplicate = try #require(throws: SQLServerError.self) {
                try connection.query("INSERT INTO \(table) (id) VALUES (@p1)", [.int(1)])
            }
            #expect(duplicate.number == 2627)
            #expect(duplicate.kind == .duplicateKey)
            #expect(try connection.query("SELECT COUNT(*) AS n FROM \(table)") == [Row(["n": .int(1)])])
        }
    }

    @Test func aRolledBackTransactionLeavesNothing() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let table = Self.tableName("tx")
            try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
            defer { _ = try? connection.execute("DROP TABLE \(table)") }
            try connection.begin()
            try connection.query("INSERT INTO \(table) (id) VALUES (@p1)", [.int(1)])
            #expect(try connection.query("SELECT COUNT(*) AS n FROM \(table)") == [Row(["n": .int(1)])])
            try connection.rollback()
            #expect(try connection.query("SELECT COUNT(*) AS n FROM \(table)") == [Row(["n": .int(0)])])

            try connection.begin()
            try connection.query("INSERT INTO \(table) (id) VALUES (@p1)", [.int(2)])
            try connection.commit()
            #expect(try connection.query("SELECT id FROM \(table)") == [Row(["id": .int(2)])])
        }
    }

    @Test func executeReportsAffectedRows() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let table = Self.tableName("count")
            try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
            defer { _ = try? connection.execute("DROP TABLE \(table)") }
            #expect(try connection.execute("INSERT INTO \(table) (id) VALUES (1), (2), (3)") == 3)
            #expect(try connection.execute("DELETE FROM \(table) WHERE id > 1") == 2)
        }
    }

    /// The last result set with columns is the one returned, also when it has no rows.
    @Test func theLastResultSetIsReturned() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            #expect(try connection.query("SELECT 1 AS a; SELECT 2 AS b") == [Row(["b": .int(2)])])
            #expect(try connection.query("SELECT 1 AS a; SELECT 2 AS b WHERE 1 = 0") == [])
            let table = Self.tableName("multi")
            try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY)")
            defer { _ = try? connection.execute("DROP TABLE \(table)") }
            let rows = try connection.query(
                "INSERT INTO \(table) (id) VALUES (@p1); SELECT id FROM \(table) WHERE id = @p1", [.int(7)])
            #expect(rows == [Row(["id": .int(7)])])
        }
    }

    @Test func anErrorLaterInABatchIsThrown() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let error = try #require(throws: SQLServerError.self) {
                try connection.query("SELECT 1 AS a; SELECT * FROM no_such_table_\(UUID().uuidString.prefix(8))")
            }
            #expect(error.number == 208)
            #expect(try connection.query("SELECT 3 AS c") == [Row(["c": .int(3)])])
        }
    }

    @Test func anUnknownDatabaseIsRefusedAtLogin() throws {
        try explained {
            var server = try SQLServerTestServer.server()
            server.database = "no_such_database_\(UUID().uuidString.prefix(8))"
            let error = try #require(throws: SQLServerError.self) { try server.connect() }
            #expect(error.number == 4060)
            #expect(error.kind == .unknownDatabase)
        }
    }
}
