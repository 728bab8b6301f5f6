import TestSupport
import Directory
import SQLClients
import Testing

@Suite struct MariaDBConnectionTests {
    @Test func connectsAndReportsTheServerVersion() throws {
        let connection = try TestServers.mariaDB()
        #expect(connection.serverVersion.lowercased().contains("mariadb"))
        let rows = try connection.query("SELECT DATABASE() AS db, CURRENT_USER() AS who, @@session.time_zone AS tz")
        #expect(rows == [Row(["db": .text("scimsync_test"), "who": .text("scimsync@127.0.0.1"), "tz": .text("+00:00")])])
    }

    @Test func wrongPasswordIsAccessDenied() throws {
        let url = try TestServers.mariaDBURL()
        let password = "not-the-password-\(url.password)"
        let error = try #require(throws: MariaDBError.self) {
            try MariaDBConnection(host: url.host, port: url.port, user: url.user, password: password, database: url.database)
        }
        #expect(error.kind == .accessDenied)
        #expect(error.code == 1045)
        #expect(error.sqlState == "28000")
        #expect(error.operation == .connect)
        #expect(!error.description.contains(password))
        #expect(!String(reflecting: error).contains(password))
    }

    @Test func unknownDatabaseIsClassified() throws {
        let url = try TestServers.mariaDBURL()
        let error = try #require(throws: MariaDBError.self) {
            try MariaDBConnection(
                host: url.host, port: url.port, user: url.user, password: url.password, database: "no_such_database_x"
            )
        }
        #expect(error.kind == .unknownDatabase)
        #expect(error.code == 1049)
        #expect(error.sqlState == "42000")
    }

    @Test func closedPortIsCannotConnectWithTheAddress() throws {
        let url = try TestServers.mariaDBURL()
        let port = try TestServers.refusingPort()
        let error = try #require(throws: MariaDBError.self) {
            try MariaDBConnection(host: "127.0.0.1", port: port, user: url.user, password: url.password, connectTimeout: 3)
        }
        #expect(error.kind == .cannotConnect(host: "127.0.0.1", port: port))
        #expect([2002, 2003].contains(error.code))
        #expect(error.description.contains("127.0.0.1:\(port)"))
    }

    @Test func missingTableAndColumnAreClassified() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("absent")
        let missingTable = try #require(throws: MariaDBError.self) {
            try connection.query("SELECT * FROM \(table)")
        }
        #expect(missingTable.kind == .noSuchTable)
        #expect(missingTable.code == 1146)
        #expect(missingTable.operation == .prepare)

        let missingColumn = try #require(throws: MariaDBError.self) {
            try connection.query("SELECT no_such_column FROM information_schema.TABLES")
        }
        #expect(missingColumn.kind == .unknownColumn)
        #expect(missingColumn.code == 1054)

        // The connection stays usable after statement errors.
        #expect(try connection.query("SELECT 1 AS one") == [Row(["one": .int(1)])])
    }

    @Test func parameterCountMismatchIsReportedBeforeExecution() throws {
        let connection = try TestServers.mariaDB()
        let error = try #require(throws: MariaDBError.self) {
            try connection.query("SELECT ? + ?", [.int(1)])
        }
        #expect(error.kind == .wrongParameterCount(expected: 2, given: 1))
    }

    @Test func errorDescriptionsLeaveOutValuesFromTheServerMessage() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("dup")
        try connection.execute("CREATE TABLE \(table) (email VARCHAR(100) PRIMARY KEY)")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let email = "alice.secret@example.com"
        try connection.query("INSERT INTO \(table) (email) VALUES (?)", [.text(email)])
        let error = try #require(throws: MariaDBError.self) {
            try connection.query("INSERT INTO \(table) (email) VALUES (?)", [.text(email)])
        }
        #expect(error.code == 1062)
        #expect(error.kind == .other)
        #expect(error.message.contains(email))
        #expect(!error.description.contains(email))
        #expect(String(reflecting: error).contains(email))
    }

    @Test func executeReturnsAffectedRowsAndDiscardsResults() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("exec")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(20))")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        #expect(try connection.execute("INSERT INTO \(table) VALUES (1, 'a'), (2, 'b'), (3, 'c')") == 3)
        #expect(try connection.execute("UPDATE \(table) SET name = 'z' WHERE id >= 2") == 2)
        #expect(try connection.execute("SELECT * FROM \(table)") == 0)
        #expect(try connection.query("SELECT COUNT(*) AS n FROM \(table) WHERE name = ?", [.text("z")])
            == [Row(["n": .int(2)])])
    }

    @Test func valuesWithQuotesAndInjectionAttemptsAreStoredVerbatim() throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("inject")
        try connection.execute(
            "CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(200)) CHARACTER SET utf8mb4"
        )
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let names = [
            "Robert'); DROP TABLE \(table);--",
            "' OR '1'='1",
            #"back\slash "double" `tick` \' \0"#,
            "O'Brien",
        ]
        for (index, name) in names.enumerated() {
            try connection.query("INSERT INTO \(table) (id, name) VALUES (?, ?)", [.int(Int64(index)), .text(name)])
        }
        let stored = try connection.query("SELECT name FROM \(table) ORDER BY id")
        #expect(stored == names.map { Row(["name": .text($0)]) })
        let matches = try connection.query("SELECT id FROM \(table) WHERE name = ?", [.text("' OR '1'='1")])
        #expect(matches == [Row(["id": .int(1)])])
    }
}
