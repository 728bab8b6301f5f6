import Config
import Directory
import Foundation
import SQLServerClient
import Targets
import TestSupport
import scimsync

/// A workload's statements on SQL Server: `?` markers become `@p1`, `@p2` ... (the workload
/// never writes `?` inside SQL text: every value is a parameter), and MariaDB's transaction
/// statements their T-SQL forms.
final class SQLServerSourceWorkloadDatabase: WorkloadDatabase, @unchecked Sendable {
    let connection: SQLServerConnection

    init(_ connection: SQLServerConnection) { self.connection = connection }

    @discardableResult func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        var text = ""
        var marker = 0
        for character in sql {
            if character == "?" {
                marker += 1
                text += "@p\(marker)"
            } else {
                text.append(character)
            }
        }
        return try explained { try connection.query(text, parameters) }
    }

    @discardableResult func execute(_ sql: String) throws -> UInt64 {
        switch sql {
        case "START TRANSACTION": try connection.begin()
        case "COMMIT": try connection.commit()
        case "ROLLBACK": try connection.rollback()
        default: _ = try explained { try connection.execute(sql) }
        }
        return 0
    }
}

/// The SQL Server source of the example configuration config/sqlserver-to-sqlite.yaml: a fresh
/// database on the test server with the seed tables, and configurations streaming it into the
/// SQLite, PostgreSQL and MariaDB targets of ExampleDirectories.
struct SQLServerSourceHarness {
    let server: SQLServerTestServer
    let fixture: ExampleDirectories
    let environment: [String: String]

    /// Operations of the randomised workloads: SCIMSYNC_SQLSERVER_WORKLOAD_OPERATIONS, or a
    /// CI scale (the TDS test double is Python: 5,000 operations take minutes per target).
    static var operations: Int {
        ProcessInfo.processInfo.environment["SCIMSYNC_SQLSERVER_WORKLOAD_OPERATIONS"].flatMap { Int($0) } ?? 600
    }

    init(retentionDays: Int = 2) throws {
        fixture = try ExampleDirectories()
        server = try SQLServerTestServer.freshDatabase("scimsync_hr", retentionDays: retentionDays)
        let connection = try server.connect()
        for statement in try ExampleDirectories.statements(in: "config/sql/sqlserver-source.sql") {
            _ = try explained { try connection.execute(statement) }
        }
        environment = fixture.environment.merging([
            "HR_MSSQL_HOST": server.host, "HR_MSSQL_PORT": String(server.port), "HR_MSSQL_USER": server.user,
            "HR_MSSQL_PASSWORD": server.password, "HR_MSSQL_DATABASE": server.database!, "HR_MSSQL_ENCRYPT": "off",
        ]) { _, new in new }
    }

    func source() throws -> SQLServerSourceWorkloadDatabase {
        SQLServerSourceWorkloadDatabase(try server.connect())
    }

    /// config/sqlserver-to-sqlite.yaml with a free admin port, a quicker poll for the tests,
    /// `onDelete: delete` and `maxRemovals: 100%` (a random workload deletes freely in a small
    /// directory).
    func text() throws -> String {
        try String(contentsOfFile: ExampleDirectories.path("config/sqlserver-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
            .replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 100%")
            .replacingOccurrences(of: "poll: 1s", with: "poll: 200ms")
            // Change tracking reports net changes: a user inserted and deleted between two
            // polls never reaches the target, so a deactivated copy of it cannot be expected.
            .replacingOccurrences(of: "onDelete: deactivate", with: "onDelete: delete")
    }

    func parse(_ text: String, file: String) throws -> ScimsyncConfig {
        try ConfigLoader.parse(
            text, file: file, baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: environment)
    }

    func sqliteConfig() throws -> ScimsyncConfig {
        try parse(try text(), file: "sqlserver-to-sqlite.yaml")
    }

    /// The PostgreSQL target of config/mariadb-to-postgres.yaml on a schema of its own.
    func postgresConfig() throws -> (config: ScimsyncConfig, schema: String) {
        let (text, schema) = try postgresText()
        return (try parse(text, file: "sqlserver-to-postgres.yaml"), schema)
    }

    /// The configuration text of ``postgresConfig()``, for a daemon process.
    func postgresText() throws -> (text: String, schema: String) {
        let schema = TestServers.uniqueName("portal")
        let connection = try TestServers.postgres()
        for statement in try ExampleDirectories.statements(in: "config/sql/postgres-target.sql") {
            try connection.execute(
                statement.replacingOccurrences(of: "portal.", with: "\(schema).")
                    .replacingOccurrences(of: "SCHEMA IF NOT EXISTS portal", with: "SCHEMA IF NOT EXISTS \(schema)"))
        }
        let postgres = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-postgres.yaml"), encoding: .utf8)
        let target = try found(postgres.range(of: "    target:\n"))
        let end = try found(postgres.range(of: "    onDelete:"))
        let block = String(postgres[target.lowerBound..<end.lowerBound]).replacingOccurrences(of: "schema: portal", with: "schema: \(schema)")
        return (try replacingTarget(in: try self.text(), with: block), schema)
    }

    /// A MariaDB database of its own with the SQLite example's target layout.
    func mariaDBConfig() throws -> (config: ScimsyncConfig, database: String) {
        let (text, database) = try mariaDBText()
        return (try parse(text, file: "sqlserver-to-mariadb.yaml"), database)
    }

    /// The configuration text of ``mariaDBConfig()``, for a daemon process; its tables exist.
    func mariaDBText() throws -> (text: String, database: String) {
        let database = TestServers.uniqueName("portal")
        try TestServers.mariaDB().execute("CREATE DATABASE `\(database)` CHARACTER SET utf8mb4")
        let text = try self.text().replacingOccurrences(
            of: #"sqlite: { path: "${PORTAL_DB:-portal.db}" }"#,
            with: #"mysql: { host: "${HR_DB_HOST}", port: "${HR_DB_PORT}", user: "${HR_DB_USER}", "#
                + #"password: "${HR_DB_PASSWORD}", database: \#(database) }"#)
        let config = try parse(text, file: "sqlserver-to-mariadb.yaml")
        if let pipeline = config.pipelines.first { try SQLTarget.createTables(in: pipeline.target.sql!) }
        return (text, database)
    }

    private func replacingTarget(in text: String, with block: String) throws -> String {
        let target = try found(text.range(of: "    target:\n"))
        let end = try found(text.range(of: "    onDelete:"))
        return text.replacingCharacters(in: target.lowerBound..<end.lowerBound, with: block)
    }
}

/// The value, or an error saying the example configuration no longer has the expected shape.
private func found<T>(_ value: T?) throws -> T {
    guard let value else { throw HarnessError.exampleChanged }
    return value
}

enum HarnessError: Error {
    case exampleChanged
}
