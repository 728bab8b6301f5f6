import Config
import Daemon
import Dispatch
import Foundation
import MySQLSource
import OffsetStore
import SQLClients
import SourceKinds
import TestSupport
import Targets
import TargetKinds
import scimsync

/// Configurations and helpers shared by the end-to-end pipeline tests: the example configs
/// with a fresh replica id (and, for PostgreSQL, a schema of the test's own), a
/// MariaDB→MariaDB variant, and a way to run blocking work off Swift's cooperative pool.
enum PipelineHarness {
    /// The example file's text with a random `serverId`, so concurrent tests' replicas do not
    /// disconnect each other, and a free admin port, so concurrent daemons do not collide.
    /// A random workload deletes freely in a small directory: tests of convergence under one
    /// pass `workloadRemovals` to lift `reconcile.maxRemovals` (the guard has tests of its own).
    static func exampleText(_ relative: String, workloadRemovals: Bool = false) throws -> String {
        let text = try String(contentsOfFile: ExampleDirectories.path(relative), encoding: .utf8)
            .replacingOccurrences(of: "serverId: 4242", with: "serverId: \(UInt32.random(in: 10_000...900_000))")
            // A port of the test's own: daemons of tests running side by side must not meet on
            // the examples' 9100 (a held port ends `run` before it starts).
            .replacingOccurrences(of: "http: { port: 9100", with: "http: { port: \(try TestServers.closedPort())")
        return workloadRemovals ? text.replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 100%") : text
    }

    static func sqliteConfig(_ fixture: ExampleDirectories, workloadRemovals: Bool = false) throws -> ScimsyncConfig {
        try ConfigLoader.parse(
            try exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: workloadRemovals), file: "mariadb-to-sqlite.yaml",
            baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
    }

    /// config/mariadb-to-postgres.yaml on a schema of its own (the example's `portal` is shared
    /// by every test of the process), its tables made from config/sql/postgres-target.sql.
    static func postgresConfig(
        _ fixture: ExampleDirectories, workloadRemovals: Bool = false
    ) throws -> (config: ScimsyncConfig, schema: String) {
        let (text, schema) = try postgresText(workloadRemovals: workloadRemovals)
        let config = try ConfigLoader.parse(
            text, file: "mariadb-to-postgres.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
        return (config, schema)
    }

    /// The text of config/mariadb-to-postgres.yaml on a schema of its own, made with its
    /// tables.
    static func postgresText(workloadRemovals: Bool = false) throws -> (text: String, schema: String) {
        let schema = TestServers.uniqueName("portal")
        let connection = try TestServers.postgres()
        for statement in try ExampleDirectories.statements(in: "config/sql/postgres-target.sql") {
            try connection.execute(
                statement.replacingOccurrences(of: "portal.", with: "\(schema).")
                    .replacingOccurrences(of: "SCHEMA IF NOT EXISTS portal", with: "SCHEMA IF NOT EXISTS \(schema)"))
        }
        let text = try exampleText("config/mariadb-to-postgres.yaml", workloadRemovals: workloadRemovals)
            .replacingOccurrences(of: "schema: portal", with: "schema: \(schema)")
        return (text, schema)
    }

    /// The SQLite example with a MariaDB database of its own as the target (same layout), its
    /// tables made by `init-target`'s DDL.
    static func mariaDBConfig(
        _ fixture: ExampleDirectories, workloadRemovals: Bool = false
    ) throws -> (config: ScimsyncConfig, database: String) {
        let database = TestServers.uniqueName("portal")
        try TestServers.mariaDB().execute("CREATE DATABASE `\(database)` CHARACTER SET utf8mb4")
        let text = try exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: workloadRemovals)
            .replacingOccurrences(
                of: #"sqlite: { path: "${PORTAL_DB:-portal.db}" }"#,
                with: #"mysql: { host: "${HR_DB_HOST}", port: "${HR_DB_PORT}", user: "${HR_DB_USER}", "#
                    + #"password: "${HR_DB_PASSWORD}", database: \#(database) }"#)
        let config = try ConfigLoader.parse(
            text, file: "mariadb-to-mariadb.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
        if let pipeline = config.pipelines.first { try SQLTarget.createTables(in: pipeline.target.sql!) }
        return (config, database)
    }

    static func source(_ fixture: ExampleDirectories) throws -> MariaDBConnection {
        try MariaDBConnection(
            host: fixture.environment["HR_DB_HOST"]!, port: Int(fixture.environment["HR_DB_PORT"]!)!,
            user: fixture.environment["HR_DB_USER"]!, password: fixture.environment["HR_DB_PASSWORD"]!,
            database: fixture.hrDatabase)
    }

    /// A pipeline running in a task, as `scimsync run` runs it.
    static func start(
        _ pipeline: PipelineConfig, store: OffsetStore, retry: ReconnectPolicy = ReconnectPolicy()
    ) -> Task<Void, any Error> {
        Task {
            try await Pipeline(
                configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry,
                retry: retry
            ).run()
        }
    }
}
