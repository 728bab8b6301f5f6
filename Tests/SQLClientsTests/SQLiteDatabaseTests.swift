import Directory
import Foundation
import SQLClients
import Testing

@Suite struct SQLiteDatabaseTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("scimsync-\(UUID().uuidString).sqlite").path
    }

    /// Runs `body` on a new database file, removed after.
    func withTemporaryDatabase(_ body: (SQLiteDatabase) throws -> Void) throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(try SQLiteDatabase(path: path))
    }

    @Test func valuesRoundTripInSQLiteStorageClasses() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v)")
        let stamp = SQLDateTime(date: SQLDate(year: 2024, month: 2, day: 29), hour: 23, minute: 59, second: 58, microsecond: 120_000)
        let cases: [(SQLValue, SQLValue)] = [
            (.null, .null),
            (.bool(true), .int(1)),
            (.int(Int64.min), .int(Int64.min)),
            (.uint(42), .int(42)),
            (.uint(UInt64.max), .text("18446744073709551615")),
            (.double(2.5), .double(2.5)),
            (.decimal("12.50"), .text("12.50")),
            (.text("héllo 👋 'quoted'"), .text("héllo 👋 'quoted'")),
            (.bytes([0, 1, 255]), .bytes([0, 1, 255])),
            (.bits(0xABC, width: 12), .int(0xABC)),
            (.date(SQLDate(year: 2024, month: 2, day: 29)), .text("2024-02-29")),
            (.time(SQLTime(negative: true, hours: 123, minutes: 4, seconds: 5, microseconds: 6)), .text("-123:04:05.000006")),
            (.dateTime(stamp), .text("2024-02-29 23:59:58.120000")),
            (.timestamp(stamp), .text("2024-02-29 23:59:58.120000")),
            (.json(#"{"a":1}"#), .text(#"{"a":1}"#)),
        ]
        for (index, (value, _)) in cases.enumerated() {
            try database.query("INSERT INTO t (id, v) VALUES (?, ?)", [.int(Int64(index)), value])
        }
        let rows = try database.query("SELECT id, v FROM t ORDER BY id")
        #expect(rows == cases.enumerated().map { index, pair in Row(["id": .int(Int64(index)), "v": pair.1]) })
        // The text form of dates sorts and compares as SQLite's date functions expect.
        #expect(try database.query("SELECT date(v) AS d FROM t WHERE id = 10") == [Row(["d": .text("2024-02-29")])])
    }

    /// `executeEach` binds through SQLite's C API, `query` through GRDB's arguments: each
    /// value must be stored the same way (storage class and value) by both.
    @Test func executeEachStoresEveryValueAsAQueryDoes() throws {
        try withTemporaryDatabase { database in
            try database.execute("CREATE TABLE bulk (id INTEGER PRIMARY KEY, v); CREATE TABLE single (id INTEGER PRIMARY KEY, v)")
            let stamp = SQLDateTime(date: SQLDate(year: 1999, month: 12, day: 31), hour: 0, minute: 0, second: 1, microsecond: 7)
            let values: [SQLValue] = [
                .null, .bool(true), .bool(false), .int(Int64.min), .int(0), .uint(7), .uint(UInt64.max), .double(-0.125),
                .decimal("-0.00"), .text(""), .text("héllo 👋 'quoted'"), .text(String(repeating: "ü", count: 5000)),
                .bytes([]), .bytes([0, 1, 255]), .bits(UInt64.max, width: 64), .date(SQLDate(year: 2024, month: 2, day: 29)),
                .time(SQLTime(negative: false, hours: 838, minutes: 59, seconds: 59, microseconds: 0)), .dateTime(stamp),
                .timestamp(stamp), .json("[]"),
            ]
            let rows = values.enumerated().map { index, value in [SQLValue.int(Int64(index)), value] }
            try database.executeEach("INSERT INTO bulk (id, v) VALUES (?, ?)", rows: rows)
            for row in rows { try database.query("INSERT INTO single (id, v) VALUES (?, ?)", row) }
            let read = { (table: String) in try database.query("SELECT id, typeof(v) AS kind, v FROM \(table) ORDER BY id") }
            let bulk = try read("bulk")
            #expect(bulk.count == values.count)
            #expect(bulk == (try read("single")))
        }
    }

    /// GRDB binds text as a C string, so a text holding NUL would be stored cut there: both
    /// ways of writing refuse it instead (SQLITE_MISMATCH), and nothing is written.
    @Test func aTextHoldingNULIsRefusedNotCut() throws {
        try withTemporaryDatabase { database in
            try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v)")
            let nul = SQLValue.text("u5\u{0}evil")
            for write in [
                { try database.query("INSERT INTO t (id, v) VALUES (1, ?)", [nul]) },
                { try database.executeEach("INSERT INTO t (id, v) VALUES (?, ?)", rows: [[.int(2), .text("ok")], [.int(3), nul]]) },
            ] as [() throws -> Void] {
                #expect(throws: SQLiteError(kind: .other, code: 20, path: database.path, message: SQLiteDatabase.nulInText)) {
                    try write()
                }
            }
            #expect(try database.query("SELECT COUNT(*) AS n FROM t") == [Row(["n": .int(0)])])
        }
    }

    /// A full disk says so (SQLite's own page limit stands in for the disk: the same
    /// SQLITE_FULL), and names no value.
    @Test func aFullDatabaseSaysTheDiskIsFull() throws {
        try withTemporaryDatabase { database in
            try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            _ = try database.query("PRAGMA max_page_count = 4")
            let error = try #require(throws: SQLiteError.self) {
                for id in 0..<100 { _ = try database.query("INSERT INTO t (id, v) VALUES (?, ?)", [.int(Int64(id)), .text(String(repeating: "x", count: 2_000))]) }
            }
            #expect(error.kind == .full)
            #expect(error.description.contains("is full (SQLite result code 13): free space there"), "\(error.description)")
            #expect(!error.description.contains("xxxx"))
        }
    }

    /// A row SQLite refuses fails the call with the constraint's error, and the rows before
    /// it stay (the caller's transaction decides); the statement is usable again after.
    @Test func executeEachReportsARefusedRow() throws {
        try withTemporaryDatabase { database in
            try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            let sql = "INSERT INTO t (id, v) VALUES (?, ?)"
            #expect {
                try database.executeEach(sql, rows: [[.int(1), .text("a")], [.int(2), .null], [.int(3), .text("c")]])
            } throws: { error in
                (error as? SQLiteError).map { $0.kind == .constraintViolation && $0.code == 19 && $0.message.contains("NOT NULL") } == true
            }
            #expect(throws: SQLiteError.self) { try database.executeEach(sql, rows: [[.int(4)]]) }
            try database.executeEach(sql, rows: [[.int(5), .text("e")]])
            #expect(try database.query("SELECT id FROM t ORDER BY id") == [Row(["id": .int(1)]), Row(["id": .int(5)])])
        }
    }

    @Test func describesColumnsAndTables() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        try database.execute("""
            CREATE TABLE users (id TEXT PRIMARY KEY NOT NULL, name VARCHAR(255) NOT NULL, active BOOLEAN, extra);
            CREATE TABLE memberships (user_id TEXT, group_id TEXT, PRIMARY KEY (user_id, group_id));
            CREATE VIEW active_users AS SELECT id FROM users WHERE active;
            """)
        #expect(try database.columns(ofTable: "users") == [
            ColumnDescription(name: "id", sqlType: "TEXT", nullable: false, isPrimaryKey: true),
            ColumnDescription(name: "name", sqlType: "VARCHAR(255)", nullable: false, isPrimaryKey: false),
            ColumnDescription(name: "active", sqlType: "BOOLEAN", nullable: true, isPrimaryKey: false),
            ColumnDescription(name: "extra", sqlType: "", nullable: true, isPrimaryKey: false),
        ])
        #expect(try database.columns(ofTable: "memberships")?.map(\.isPrimaryKey) == [true, true])
        #expect(try database.columns(ofTable: "missing") == nil)
        #expect(try database.tableNames() == ["active_users", "memberships", "users"])
    }

    @Test func errorsAreClassified() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try SQLiteDatabase(path: path)
        let table = try #require(throws: SQLiteError.self) { try database.query("SELECT * FROM missing") }
        #expect(table.kind == .noSuchTable)
        #expect(table.code == 1)

        try database.execute("CREATE TABLE t (email TEXT PRIMARY KEY)")
        let column = try #require(throws: SQLiteError.self) { try database.query("SELECT nope FROM t") }
        #expect(column.kind == .noSuchColumn)

        let email = "alice.secret@example.com"
        try database.query("INSERT INTO t VALUES (?)", [.text(email)])
        let duplicate = try #require(throws: SQLiteError.self) { try database.query("INSERT INTO t VALUES (?)", [.text(email)]) }
        #expect(duplicate.kind == .constraintViolation)
        #expect(duplicate.code == 19)
        #expect(!duplicate.description.contains(email))

        let missingDirectory = "/nonexistent-\(UUID().uuidString)/db.sqlite"
        let open = try #require(throws: SQLiteError.self) { try SQLiteDatabase(path: missingDirectory) }
        #expect(open.kind == .cannotOpen)
        #expect(open.description.contains(missingDirectory))
    }

    /// A reader in another connection holds its shared lock for the length of its transaction;
    /// in SQLite's default rollback-journal mode a writer's COMMIT must wait for it, which it
    /// does within the busy timeout instead of failing with SQLITE_BUSY.
    @Test func aWriterWaitsForAReaderInsteadOfFailingBusy() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try SQLiteDatabase(path: path)
        try writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        nonisolated(unsafe) let reader = try SQLiteDatabase(path: path)
        try reader.execute("BEGIN")
        #expect(try reader.query("SELECT count(*) AS n FROM t").first?.values == [.int(0)])

        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            try? reader.execute("COMMIT")
            released.signal()
        }
        try writer.execute("BEGIN IMMEDIATE")
        try writer.query("INSERT INTO t VALUES (1)")
        let started = Date()
        try writer.execute("COMMIT")
        #expect(Date().timeIntervalSince(started) > 0.1, "the COMMIT waited for the reader")
        released.wait()
        #expect(try writer.query("SELECT count(*) AS n FROM t").first?.values == [.int(1)])
    }
}
