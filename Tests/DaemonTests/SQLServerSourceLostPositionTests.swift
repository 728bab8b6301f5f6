import Config
import Daemon
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing

/// A stored change-tracking version below a table's minimum valid version — the table
/// truncated, or its changes cleaned up after the retention period, while the pipeline was
/// stopped — is recovered by a reconciliation from a new snapshot, by itself, and streaming
/// goes on from the snapshot's version.
@Suite struct SQLServerSourceLostPositionTests {
    func recover(retentionDays: Int, _ whileStopped: (SQLServerSourceWorkloadDatabase) throws -> Void) async throws {
        let harness = try SQLServerSourceHarness(retentionDays: retentionDays)
        let config = try harness.sqliteConfig()
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let source = try harness.source()

        var running = PipelineHarness.start(pipeline, store: store)
        try #require(try await eventually { try store.position(pipeline: pipeline.name) != nil }, "the first load did not commit")
        running.cancel()
        try await running.value
        guard case .changeTracking(let stored)? = try store.position(pipeline: pipeline.name) else {
            Issue.record("no change-tracking version stored")
            return
        }

        try source.query("UPDATE sync_users SET first_name = N'Babs' WHERE id = 1", [])
        try whileStopped(source)

        running = PipelineHarness.start(pipeline, store: store)
        defer { running.cancel() }
        let expected = try DirectoryRows.source(source, deactivated: [])
        let path = harness.fixture.sqlitePath
        try await converge("recovery from a lost change-tracking version", seed: 0, expected: expected) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
        // Streaming goes on after the recovery.
        try source.query("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (1, 2)", [])
        let after = try DirectoryRows.source(source, deactivated: [])
        try await converge("streaming after the recovery", seed: 0, expected: after) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
        guard case .changeTracking(let now)? = try store.position(pipeline: pipeline.name) else {
            Issue.record("no change-tracking version stored")
            return
        }
        #expect(now > stored)
        running.cancel()
        try await running.value
    }

    @Test func aTruncateWhileStoppedIsRecoveredByReconciliation() async throws {
        try await recover(retentionDays: 2) { source in
            try source.query("TRUNCATE TABLE sync_users_groups_rel", [])
            try source.query("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (2, 3), (3, 4)", [])
        }
    }

    @Test func changesCleanedUpWhileStoppedAreRecoveredByReconciliation() async throws {
        try await recover(retentionDays: 1) { source in
            try source.query("INSERT INTO sync_groups (id, name, parent_id) VALUES (9, N'Legal', 1)", [])
            try source.query("EXEC sys.sp_peer_advance_clock 200000", [])
            try source.query("EXEC sys.sp_flush_CT_internal_table_on_demand", [])
        }
    }
}
