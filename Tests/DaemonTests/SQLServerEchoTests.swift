import Config
import Directory
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing

/// Two pipelines replicating in opposite directions between a MariaDB database (binlog) and a
/// SQL Server database (change tracking): what one writes into SQL Server is not sent back by
/// the other (echo suppression through `CHANGE_TRACKING_CONTEXT`), while an application's own
/// write in SQL Server still reaches MariaDB.
///
/// The MariaDB side counts every write to `sync_users` that the test did not make itself, with
/// triggers: the reverse pipeline is the only other writer, so the count is its writes.
@Suite struct SQLServerEchoTests {
    static let seedLayout = """
        layout:
                users:
                  table: sync_users
                  attributes:
                    id: id
                    userName: username
                    name.givenName: first_name
                    name.familyName: last_name
                    'emails[type eq "work"].value': email
                    title: job_title
                    active: is_active
                groups:
                  table: sync_groups
                  parent: parent_id
                  attributes: { id: id, displayName: name }
                membership: { table: sync_users_groups_rel, user: user_id, group: group_id }
        """

    /// Two pipelines in opposite directions over databases that start with the same rows: each
    /// writes rows it did not create (the other's, and those both held), so both adopt.
    static func config(_ harness: SQLServerSourceHarness, port: Int) -> String {
        let mysql = #"mysql: { host: "${HR_DB_HOST}", port: "${HR_DB_PORT}", user: "${HR_DB_USER}", "#
            + #"password: "${HR_DB_PASSWORD}", database: "${HR_DB_NAME}""#
        let sqlserver = #"sqlserver: { host: "${HR_MSSQL_HOST}", port: "${HR_MSSQL_PORT}", user: "${HR_MSSQL_USER}", "#
            + #"password: "${HR_MSSQL_PASSWORD}", database: "${HR_MSSQL_DATABASE}", encrypt: off"#
        return """
            offsets: { path: "${SCIMSYNC_STATE_DIR}/offsets.db" }
            http: { port: \(port) }
            pipelines:
              - name: hr-to-mssql
                source:
                  \(mysql), serverId: \(UInt32.random(in: 10_000...900_000)) }
                  \(seedLayout)
                target:
                  \(sqlserver) }
                  \(seedLayout)
                onDelete: delete
                adopt: true
              - name: mssql-to-hr
                source:
                  \(sqlserver), poll: 100ms }
                  \(seedLayout)
                target:
                  \(mysql) }
                  \(seedLayout)
                onDelete: delete
                adopt: true
            """
    }

    /// Makes MariaDB count the writes to `sync_users` by connections other than the test's own
    /// (which sets `@scimsync_test_writer`) in `echo_writes`.
    static func countWrites(_ harness: SQLServerSourceHarness) throws {
        let url = try TestServerURL.fromEnvironment("SCIMSYNC_TEST_MARIADB_ROOT_URL")
        let root = try MariaDBConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: harness.fixture.hrDatabase)
        try root.execute("CREATE TABLE echo_writes (n INT NOT NULL)")
        try root.execute("INSERT INTO echo_writes VALUES (0)")
        for (name, event) in [("echo_i", "INSERT"), ("echo_u", "UPDATE"), ("echo_d", "DELETE")] {
            try root.execute(
                "CREATE TRIGGER \(name) BEFORE \(event) ON sync_users FOR EACH ROW "
                    + "UPDATE echo_writes SET n = n + IF(@scimsync_test_writer IS NULL, 1, 0)")
        }
    }

    @Test func writesOfTheOppositePipelineAreNotSentBack() async throws {
        let harness = try SQLServerSourceHarness()
        try Self.countWrites(harness)
        let mariaDB = try TestServers.mariaDB()
        try mariaDB.execute("USE `\(harness.fixture.hrDatabase)`")
        try mariaDB.execute("SET @scimsync_test_writer = 1")
        func reverseWrites() throws -> Int {
            guard case .int(let count)? = try mariaDB.query("SELECT n FROM echo_writes").first?.values.first else { return -1 }
            return Int(count)
        }
        let sqlServer = try harness.server.connect()
        func currentVersion() throws -> Int64 {
            guard case .int(let version)? = try sqlServer.query("SELECT CHANGE_TRACKING_CURRENT_VERSION() AS v").first?.values.first
            else { return -1 }
            return version
        }
        let config = try harness.parse(Self.config(harness, port: try TestServers.closedPort()), file: "echo.yaml")
        let store = try OffsetStore(path: config.offsets.path)
        let forward = try #require(config.pipelines.first { $0.name == "hr-to-mssql" })
        let reverse = try #require(config.pipelines.first { $0.name == "mssql-to-hr" })
        // What each pipeline writes is tagged with where it came from, and skipped by the other.
        #expect(EchoContext.context(of: forward) == EchoContext.echoes(of: reverse))

        let forwardRun = PipelineHarness.start(forward, store: store)
        defer { forwardRun.cancel() }
        try #require(try await eventually { try store.position(pipeline: forward.name) != nil }, "hr-to-mssql never loaded")
        let reverseRun = PipelineHarness.start(reverse, store: store)
        defer { reverseRun.cancel() }
        try #require(try await eventually { try store.position(pipeline: reverse.name) != nil }, "mssql-to-hr never loaded")
        // Both sides held the same rows: the reverse pipeline's first pass found nothing to write.
        #expect(try reverseWrites() == 0)

        /// Waits until the reverse pipeline has stored a version at or past SQL Server's current one.
        func reversePassed() async throws {
            let version = try currentVersion()
            try #require(
                try await eventually {
                    guard case .changeTracking(let stored)? = try store.position(pipeline: reverse.name) else { return false }
                    return stored >= version
                }, "mssql-to-hr never read up to version \(version)")
        }

        // A change on MariaDB reaches SQL Server through hr-to-mssql, and mssql-to-hr skips it.
        try mariaDB.execute(
            "INSERT INTO sync_users (id, username, first_name, email, is_active) VALUES (100, 'echo1', 'Echo', 'echo1@example.com', 1)")
        try mariaDB.execute("UPDATE sync_users SET job_title = 'Pilot' WHERE id = 1")
        try mariaDB.execute("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (100, 2)")
        try #require(
            try await eventually {
                try sqlServer.query("SELECT COUNT(*) AS n FROM sync_users_groups_rel WHERE user_id = 100").first?.values.first == .int(1)
                    && sqlServer.query("SELECT job_title FROM sync_users WHERE id = 1").first?.values.first == .text("Pilot")
            }, "the MariaDB changes never reached SQL Server")
        try await reversePassed()
        #expect(try reverseWrites() == 0, "mssql-to-hr wrote hr-to-mssql's changes back into MariaDB")

        // An application's write on SQL Server reaches MariaDB (the count shows the reverse
        // pipeline's writes: this is what the assertion above would have seen)...
        _ = try sqlServer.query(
            "INSERT INTO sync_users (id, username, first_name, is_active) VALUES (@p1, @p2, @p3, 1)", [.int(200), .text("app"), .text("App")])
        try #require(
            try await eventually { try mariaDB.query("SELECT id FROM sync_users WHERE id = 200").count == 1 },
            "the SQL Server write never reached MariaDB")
        let afterApplication = try reverseWrites()
        #expect(afterApplication >= 1)

        // The two databases hold the same users.
        func users(_ rows: [Row]) -> [String] {
            rows.map { row in row.values.map { value in
                switch value {
                case .int(let number): String(number)
                case .uint(let number): String(number)
                case .text(let text): text
                default: "\(value)"
                }
            }.joined(separator: " ") }
        }
        let inSQLServer = users(try sqlServer.query("SELECT id, username FROM sync_users ORDER BY id", []))
        #expect(users(try mariaDB.query("SELECT id, username FROM sync_users ORDER BY id")) == inSQLServer)
        #expect(inSQLServer.count == 6)

        forwardRun.cancel()
        reverseRun.cancel()
        _ = try? await forwardRun.value
        _ = try? await reverseRun.value
    }
}
