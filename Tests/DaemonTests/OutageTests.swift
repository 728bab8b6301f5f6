import Config
import Daemon
import Foundation
import MySQLSource
import OffsetStore
import SQLClients
import TestSupport
import Testing
import scimsync

/// Servers going away in the middle of a stream, with a random workload on the source: the
/// pipeline recovers by itself and the target converges to the mapping of the source.
@Suite struct OutageTests {
    /// A quick backoff, so that the test does not wait out the default's longer delays.
    static let retry = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))

    func waitForFirstLoad(_ store: OffsetStore, _ pipeline: String) async throws {
        try #require(try await eventually { try store.position(pipeline: pipeline) != nil }, "the first load did not commit")
    }

    /// PostgreSQL stopped (`pg_ctl stop -m fast`) while batches arrive and started again two
    /// seconds later: the pipeline retries by itself and nothing is lost.
    @Test func targetPostgresStopsAndStartsAgain() async throws {
        let fixture = try ExampleDirectories()
        let postgres = try PrivatePostgres()
        let setup = try postgres.connection()
        for statement in try ExampleDirectories.statements(in: "config/sql/postgres-target.sql") {
            try setup.execute(statement)
        }
        var environment = fixture.environment
        environment["PORTAL_PG_HOST"] = "127.0.0.1"
        environment["PORTAL_PG_PORT"] = String(postgres.port)
        environment["PORTAL_PG_USER"] = postgres.user
        environment["PORTAL_PG_PASSWORD"] = postgres.password
        environment["PORTAL_PG_DATABASE"] = postgres.database
        let config = try ConfigLoader.parse(
            try PipelineHarness.exampleText("config/mariadb-to-postgres.yaml", workloadRemovals: true), file: "mariadb-to-postgres.yaml",
            baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: environment)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let running = PipelineHarness.start(pipeline, store: store, retry: Self.retry)
        defer { running.cancel() }
        try await waitForFirstLoad(store, pipeline.name)

        let workload = try DirectoryWorkload(source: PipelineHarness.source(fixture))
        let writing = WorkloadRunner(workload, limit: 2_500)
        try await Task.sleep(for: .seconds(1))
        // (The offset may still move while it is down: transactions that map to no operation,
        // such as changes of unmapped columns, commit their position without the target.)
        postgres.stop()
        try await Task.sleep(for: .seconds(2))
        try postgres.start()
        try await Task.sleep(for: .seconds(1))
        let operations = try await writing.stop()
        #expect(operations >= 500, "seed \(workload.seed): only \(operations) operations ran")

        let expected = try workload.expected()
        try await converge("the pipeline after the target's outage", seed: workload.seed, expected: expected) {
            let connection = try postgres.connection()
            return try DirectoryRows.target(tablePrefix: "portal.") { try connection.query($0) }
        }
        running.cancel()
        try await running.value
    }

    /// The source server restarted (SIGTERM, start) twice: after the stream saw only users, and
    /// while the pipeline works through a backlog; it reconnects from its position in the new
    /// binlog file and goes on.
    @Test func sourceMariaDBRestarts() async throws {
        let fixture = try PrivateSourceFixture()
        let config = try ConfigLoader.parse(
            try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: true), file: "mariadb-to-sqlite.yaml",
            baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let running = PipelineHarness.start(pipeline, store: store, retry: Self.retry)
        defer { running.cancel() }
        try await waitForFirstLoad(store, pipeline.name)

        // A first restart once the stream has seen only users: the pipeline's catalog
        // connection (which looked up sync_users) is then dead when the first groups and
        // relation rows ask it for their tables.
        try fixture.source().execute("INSERT INTO sync_users (id, username) VALUES (5, 'first')")
        try #require(
            try await eventually { fixture.count("SELECT COUNT(*) FROM portal_users") == 5 }, "the first change did not arrive")
        fixture.server.stop()
        try fixture.server.start()

        // A second one while the pipeline works through a backlog.
        let workload = try DirectoryWorkload(source: fixture.source())
        try await offPool { try workload.run(operations: 1_500) }
        fixture.server.stop()
        try fixture.server.start()
        workload.reconnect(try fixture.source())
        try await offPool { try workload.run(operations: 1_500) }

        let expected = try workload.expected()
        let sqlitePath = fixture.sqlitePath
        try await converge("the pipeline after the source's restart", seed: workload.seed, expected: expected) {
            let database = try SQLiteDatabase(path: sqlitePath)
            return try DirectoryRows.target { try database.query($0) }
        }
        guard case .binlog(let file, _, _)? = try store.position(pipeline: pipeline.name) else {
            Issue.record("no binlog position stored")
            return
        }
        #expect(file == "binlog.000003", "the position moved on into the restarted server's newest binlog file")
        running.cancel()
        try await running.value
    }
}
