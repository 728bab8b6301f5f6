import TestSupport
import Directory
import SQLClients
import Testing

@Suite struct PostgresConnectionTests {
    @Test func connectsWithUTCAndISOSettings() throws {
        let connection = try TestServers.postgres()
        #expect(connection.serverVersion >= 120_000)
        let rows = try connection.query(
            "SELECT current_database() AS db, current_user AS who, current_setting('TimeZone') AS tz, "
                + "current_setting('DateStyle') AS style"
        )
        #expect(rows == [Row([
            "db": .text("scimsync_test"), "who": .text("scimsync"), "tz": .text("UTC"), "style": .text("ISO, YMD"),
        ])])
    }

    @Test func wrongPasswordIsAuthenticationFailed() throws {
        let url = try TestServers.postgresURL()
        let password = "not-the-password-\(url.password)"
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(host: url.host, port: url.port, user: url.user, password: password, database: url.database)
        }
        #expect(error.kind == .authenticationFailed)
        #expect(error.sqlState == "28P01")
        #expect(error.operation == .connect)
        #expect(!error.description.contains(password))
        #expect(!String(reflecting: error).contains(password))
    }

    @Test func unknownDatabaseIsClassified() throws {
        let url = try TestServers.postgresURL()
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(
                host: url.host, port: url.port, user: url.user, password: url.password, database: "no_such_database_x"
            )
        }
        #expect(error.kind == .unknownDatabase)
        #expect(error.sqlState == "3D000")
    }

    @Test func closedPortIsCannotConnectWithTheAddress() throws {
        let url = try TestServers.postgresURL()
        let port = try TestServers.refusingPort()
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(
                host: "127.0.0.1", port: port, user: url.user, password: url.password, database: url.database,
                connectTimeout: 3
            )
        }
        #expect(error.kind == .cannotConnect(host: "127.0.0.1", port: port))
        #expect(error.sqlState == nil)
        #expect(error.description.contains("127.0.0.1:\(port)"))
    }

    /// A server that takes the connection and never answers is not worded as one that is down.
    @Test func aServerThatNeverAnswersTimesOutAndSaysSo() throws {
        let url = try TestServers.postgresURL()
        let port = try TestServers.silentPort()
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(
                host: "127.0.0.1", port: port, user: url.user, password: url.password, database: url.database,
                connectTimeout: 1
            )
        }
        #expect(error.kind == .cannotConnect(host: "127.0.0.1", port: port))
        #expect(error.description.contains("did not complete the connection in time (timed out after 1 s"), "\(error)")
        #expect(!error.description.contains("listens on that address"), "\(error)")
    }

    @Test func connectionParametersAreNeverParsedAsConnectionStrings() throws {
        let url = try TestServers.postgresURL()
        // With dbname expansion, this "database" would log in to scimsync_test; as a plain
        // name it is a database that does not exist.
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(
                host: url.host, port: url.port, user: url.user, password: url.password,
                database: "dbname=\(url.database) sslmode=disable"
            )
        }
        #expect(error.kind == .unknownDatabase)
    }

    @Test func missingTableColumnAndSchemaAreClassified() throws {
        let connection = try TestServers.postgres()
        let name = TestServers.uniqueName("absent")
        let table = try #require(throws: PostgresError.self) { try connection.query("SELECT * FROM \(name)") }
        #expect(table.kind == .undefinedTable)
        #expect(table.sqlState == "42P01")

        let column = try #require(throws: PostgresError.self) {
            try connection.query("SELECT no_such_column FROM information_schema.tables")
        }
        #expect(column.kind == .undefinedColumn)
        #expect(column.sqlState == "42703")

        let schema = try #require(throws: PostgresError.self) {
            try connection.execute("CREATE TABLE \(name).t (id integer)")
        }
        #expect(schema.kind == .invalidSchema)
        #expect(schema.sqlState == "3F000")

        let parameters = try #require(throws: PostgresError.self) {
            try connection.query("SELECT $1::int + $2::int", [.int(1)])
        }
        #expect(parameters.kind == .other)
        #expect(parameters.sqlState == "08P01")

        // The connection stays usable after statement errors.
        #expect(try connection.query("SELECT 1 AS one") == [Row(["one": .int(1)])])
    }

    @Test func errorDescriptionsLeaveOutValuesFromTheServerMessage() throws {
        let connection = try TestServers.postgres()
        let table = TestServers.uniqueName("dup")
        try connection.execute("CREATE TABLE \(table) (email text PRIMARY KEY)")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let email = "alice.secret@example.com"
        try connection.query("INSERT INTO \(table) (email) VALUES ($1)", [.text(email)])
        let error = try #require(throws: PostgresError.self) {
            try connection.query("INSERT INTO \(table) (email) VALUES ($1)", [.text(email)])
        }
        #expect(error.sqlState == "23505")
        #expect(error.kind == .other)
        #expect(!error.description.contains(email))
    }

    @Test func valuesWithQuotesAndInjectionAttemptsAreStoredVerbatim() throws {
        let connection = try TestServers.postgres()
        let table = TestServers.uniqueName("inject")
        try connection.execute("CREATE TABLE \(table) (id integer PRIMARY KEY, name text)")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let names = ["Robert'); DROP TABLE \(table);--", "' OR '1'='1", #"back\slash "double" $1 $$x$$"#, "O'Brien"]
        for (index, name) in names.enumerated() {
            try connection.query("INSERT INTO \(table) (id, name) VALUES ($1, $2)", [.int(Int64(index)), .text(name)])
        }
        #expect(try connection.query("SELECT name FROM \(table) ORDER BY id") == names.map { Row(["name": .text($0)]) })
        #expect(try connection.query("SELECT id FROM \(table) WHERE name = $1", [.text("' OR '1'='1")])
            == [Row(["id": .int(1)])])
    }
}
