import Config
import Daemon
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing

/// A randomised workload of mixed directory operations on a SQL Server source (the TDS test
/// double, scripts/sqlserver-peer) while the pipeline polls its change tracking: afterwards
/// each target (SQLite, PostgreSQL, MariaDB) equals the mapping of the source, row for row.
/// The scale is SQLServerSourceHarness.operations (SCIMSYNC_SQLSERVER_WORKLOAD_OPERATIONS).
@Suite struct SQLServerSourceWorkloadTests {
    func check(
        _ harness: SQLServerSourceHarness, _ config: ScimsyncConfig, readTarget: @escaping () throws -> DirectoryRows
    ) async throws {
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let workload = try DirectoryWorkload(source: harness.source())
        let running = PipelineHarness.start(pipeline, store: store)
        defer { running.cancel() }
        try #require(
            try await eventually { try store.position(pipeline: pipeline.name) != nil }, "the first load did not commit")
        let operations = SQLServerSourceHarness.operations
        let started = ContinuousClock.now
        try await offPool { try workload.run(operations: operations) }
        let written = ContinuousClock.now
        let expected = try DirectoryRows.source(harness.source(), deactivated: [])
        try await converge("\(pipeline.name) after \(workload.operations) operations", seed: workload.seed, expected: expected) {
            try readTarget()
        }
        print(
            "sqlserver source → \(pipeline.target.kind): \(workload.operations) operations written in \(written - started), "
                + "target equal \(ContinuousClock.now - written) later (\(expected))")
        running.cancel()
        try await running.value
    }

    @Test func sqlite() async throws {
        let harness = try SQLServerSourceHarness()
        let path = harness.fixture.sqlitePath
        try await check(harness, try harness.sqliteConfig()) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
    }

    @Test func postgres() async throws {
        let harness = try SQLServerSourceHarness()
        let (config, schema) = try harness.postgresConfig()
        let connection = try TestServers.postgres()
        try await check(harness, config) {
            try DirectoryRows.target(tablePrefix: "\(schema).") { try connection.query($0) }
        }
    }

    @Test func mariaDB() async throws {
        let harness = try SQLServerSourceHarness()
        let (config, database) = try harness.mariaDBConfig()
        let connection = try TestServers.mariaDB()
        try await check(harness, config) {
            try DirectoryRows.target(tablePrefix: "`\(database)`.") { try connection.query($0) }
        }
    }
}

/// `scimsync run` over a SQL Server source killed with SIGKILL at random points while a random
/// workload writes, and started again each time: each target (SQLite, PostgreSQL, MariaDB)
/// converges to the mapping of the source, and the last run stops cleanly on SIGTERM.
@Suite struct SQLServerSourceCrashTests {
    @Test func sqlite() async throws {
        let harness = try SQLServerSourceHarness()
        let path = harness.fixture.sqlitePath
        try await killedAndRestartedItConverges(harness, config: try harness.text()) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
    }

    @Test func postgres() async throws {
        let harness = try SQLServerSourceHarness()
        let (text, schema) = try harness.postgresText()
        let connection = try TestServers.postgres()
        try await killedAndRestartedItConverges(harness, config: text) {
            try DirectoryRows.target(tablePrefix: "\(schema).") { try connection.query($0) }
        }
    }

    @Test func mariaDB() async throws {
        let harness = try SQLServerSourceHarness()
        let (text, database) = try harness.mariaDBText()
        let connection = try TestServers.mariaDB()
        try await killedAndRestartedItConverges(harness, config: text) {
            try DirectoryRows.target(tablePrefix: "`\(database)`.") { try connection.query($0) }
        }
    }

    private func killedAndRestartedItConverges(
        _ harness: SQLServerSourceHarness, config: String, readTarget: @escaping () throws -> DirectoryRows
    ) async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        let workload = try DirectoryWorkload(source: harness.source(), seed: seed)
        let daemon = try DaemonProcess(stateDirectory: harness.fixture.stateDirectory, environment: harness.environment)
        try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let store = try OffsetStore(path: harness.fixture.stateDirectory + "/offsets.db")
        try daemon.start()
        try #require(
            try await eventually { try store.position(pipeline: "hr-mssql-to-portal") != nil },
            "the first load never committed: \(daemon.log.suffix(2000))")
        let writing = WorkloadRunner(workload, limit: SQLServerSourceHarness.operations)
        // Where the log of the last start begins: a start killed before it streamed (a loaded
        // machine starts slowly) logs no "pipeline streaming", so earlier starts say nothing
        // about the last one.
        var lastStart = 0
        // Killed at random points until the whole workload is written (at least five times;
        // the bound ends a writer that is stuck).
        var kills = 0
        while kills < 5 || (!writing.finished && kills < 2_000) {
            kills += 1
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1_200, using: &random)))
            daemon.kill9()
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300, using: &random)))
            lastStart = daemon.log.utf8.count
            try daemon.start()
        }
        let operations = try await writing.stop()
        #expect(operations >= SQLServerSourceHarness.operations, "the workload stopped after \(operations) operations")
        let expected = try DirectoryRows.source(harness.source(), deactivated: [])
        try await converge("the restarted daemon", seed: seed, expected: expected) { try readTarget() }
        // SIGTERM once the last start is streaming: a daemon still starting has no handler yet.
        let lastStartOffset = lastStart
        let lastStartStreamed = try await eventually {
            String(decoding: daemon.log.utf8.dropFirst(lastStartOffset), as: UTF8.self).contains("pipeline streaming")
        }
        try #require(lastStartStreamed, "the last start never streamed: \(daemon.log.suffix(2000))")
        let stopped = try await daemon.terminate()
        #expect(stopped?.reason == .exit)
        #expect(stopped?.status == 0)
    }
}
