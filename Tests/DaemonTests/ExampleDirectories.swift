import Foundation
import SQLClients
import TestSupport

/// The example configurations' databases, made fresh for one test on the servers scripts/test
/// started: a MariaDB database with the seed directory, a SQLite file with the portal tables,
/// and the environment the files in config/ read.
struct ExampleDirectories {
    let hrDatabase: String
    let sqlitePath: String
    let stateDirectory: String
    let environment: [String: String]

    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func path(_ relative: String) -> String { repositoryRoot + "/" + relative }

    init() throws {
        let mariadb = try TestServers.mariaDBURL()
        let postgres = try TestServers.postgresURL()
        hrDatabase = TestServers.uniqueName("hr")
        let connection = try TestServers.mariaDB()
        try connection.execute("CREATE DATABASE `\(hrDatabase)` CHARACTER SET utf8mb4")
        try connection.execute("USE `\(hrDatabase)`")
        for statement in try Self.statements(in: "config/sql/mariadb-source.sql") {
            try connection.execute(statement)
        }

        stateDirectory = NSTemporaryDirectory() + TestServers.uniqueName("scimsync-test")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        sqlitePath = stateDirectory + "/portal.db"
        let sqlite = try SQLiteDatabase(path: sqlitePath)
        for statement in try Self.statements(in: "config/sql/sqlite-target.sql") {
            try sqlite.execute(statement)
        }

        try Self.postgresTables.get()

        environment = [
            "HR_DB_HOST": mariadb.host, "HR_DB_PORT": String(mariadb.port), "HR_DB_USER": mariadb.user,
            "HR_DB_PASSWORD": mariadb.password, "HR_DB_NAME": hrDatabase,
            "PORTAL_DB": sqlitePath, "SCIMSYNC_STATE_DIR": stateDirectory,
            "PORTAL_PG_HOST": postgres.host, "PORTAL_PG_PORT": String(postgres.port), "PORTAL_PG_USER": postgres.user,
            "PORTAL_PG_PASSWORD": postgres.password, "PORTAL_PG_DATABASE": postgres.database,
            // The admin token config/feed-to-sqlite.yaml requires (uploads over HTTP).
            "SCIMSYNC_HTTP_TOKEN": "example-admin-token-0123456789",
        ]
    }

    /// The PostgreSQL example's schema is fixed (`portal`), so it is created once per test
    /// process: concurrent `CREATE ... IF NOT EXISTS` statements race in PostgreSQL's catalog.
    private static let postgresTables = Result<Void, any Error> {
        let connection = try TestServers.postgres()
        for statement in try statements(in: "config/sql/postgres-target.sql") {
            try connection.execute(statement)
        }
    }

    /// The statements of a SQL file in config/sql, split at `;` line ends.
    static func statements(in relative: String) throws -> [String] {
        let text = try String(contentsOfFile: path(relative), encoding: .utf8)
        let withoutComments = text.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
        return withoutComments.components(separatedBy: ";\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.isEmpty }
    }
}
