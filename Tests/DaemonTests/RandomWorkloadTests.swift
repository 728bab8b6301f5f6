import Config
import Daemon
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing

/// For each target kind: at least 5,000 random directory operations against the
/// source while the pipeline streams; afterwards the target equals the
/// mapping of the source, row for row.
///
/// What the target must hold (onDelete: deactivate): every source user mapped; every user
/// deleted from the source with its last values and enabled = 0; no trace of the old id of a
/// user whose id changed (delete + create); every group mapped with its parent; exactly the
/// source's relation rows as memberships. The workload deletes a user's relation rows with the
/// user (a relation row naming a missing user could not be loaded into a target whose foreign
/// keys hold), so a deactivated user keeps no memberships: deactivation itself leaves them.
@Suite struct RandomWorkloadTests {
    static let operations = 5_000

    func check(
        _ config: ScimsyncConfig, fixture: ExampleDirectories, readTarget: @escaping () throws -> DirectoryRows
    ) async throws {
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let workload = try DirectoryWorkload(source: PipelineHarness.source(fixture))
        let running = PipelineHarness.start(pipeline, store: store)
        defer { running.cancel() }
        // Users deleted before the first load's snapshot never reach the target: the workload
        // starts once the load committed (CrashSafetyTests writes during the load).
        // Generous: in the whole suite on two cores, tests that start private servers hold Swift's
        // pool for many seconds, and this loop and the pipeline wait for it alike.
        let deadline = ContinuousClock.now + TestBounds.serverEvent
        while try store.position(pipeline: pipeline.name) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(try store.position(pipeline: pipeline.name) != nil, "the first load did not commit")
        try await offPool { try workload.run(operations: Self.operations) }
        #expect(workload.operations >= Self.operations)
        let expected = try workload.expected()
        #expect(expected.users.count > 500, "seed \(workload.seed): the workload made too few users: \(expected)")
        try await converge("\(pipeline.name) after \(workload.operations) operations", seed: workload.seed, expected: expected) {
            try readTarget()
        }
        running.cancel()
        try await running.value
    }

    @Test func sqlite() async throws {
        let fixture = try ExampleDirectories()
        let config = try PipelineHarness.sqliteConfig(fixture, workloadRemovals: true)
        let path = fixture.sqlitePath
        try await check(config, fixture: fixture) {
            let database = try SQLiteDatabase(path: path)
            return try DirectoryRows.target { try database.query($0) }
        }
    }

    @Test func postgres() async throws {
        let fixture = try ExampleDirectories()
        let (config, schema) = try PipelineHarness.postgresConfig(fixture, workloadRemovals: true)
        let connection = try TestServers.postgres()
        try await check(config, fixture: fixture) {
            try DirectoryRows.target(tablePrefix: "\(schema).") { try connection.query($0) }
        }
    }

    @Test func mariaDB() async throws {
        let fixture = try ExampleDirectories()
        let (config, database) = try PipelineHarness.mariaDBConfig(fixture, workloadRemovals: true)
        let connection = try TestServers.mariaDB()
        try await check(config, fixture: fixture) {
            try DirectoryRows.target(tablePrefix: "`\(database)`.") { try connection.query($0) }
        }
    }
}
