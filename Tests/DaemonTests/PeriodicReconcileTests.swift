import Config
import Daemon
import Foundation
import OffsetStore
import SQLClients
import TestSupport
import Testing
import scimsync

/// Consistency with streaming: with `reconcile.every` the daemon reconciles beside
/// the stream while a workload runs; the target converges, hand-made drift is repaired, and no
/// streamed change is undone (a pass that undid one would leave a difference that a later pass
/// must repair again: the passes together repair no more than the drift made by hand).
@Suite struct PeriodicReconcileTests {
    @Test func passesBesideTheStreamRepairDriftAndUndoNothing() async throws {
        let fixture = try ExampleDirectories()
        let text = try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: true)
            .replacingOccurrences(of: "every: 6h", with: "every: 1s")
        let config = try ConfigLoader.parse(
            text, file: "mariadb-to-sqlite.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.reconcile.everySeconds == 1)
        let store = try OffsetStore(path: config.offsets.path)
        let source = try PipelineHarness.source(fixture)
        let workload = try DirectoryWorkload(source: source)
        // Users the workload does not know, so that only a pass can repair their drift.
        for id in 900_001...900_003 {
            try source.query(
                "INSERT INTO sync_users (id, username, first_name) VALUES (?, ?, 'Steady')", [.int(Int64(id)), .text("steady\(id)")])
        }
        try source.execute("INSERT INTO sync_users_groups_rel VALUES (900003, 1)")
        let running = PipelineHarness.start(pipeline, store: store)
        defer { running.cancel() }
        try #require(try await eventually { try store.position(pipeline: pipeline.name) != nil }, "the first load did not commit")

        // Drift by hand: two changed names and a lost membership (three repairs at most).
        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        try target.execute("UPDATE portal_users SET given_name = 'Drifted' WHERE id IN ('900001', '900002')")
        try target.execute("DELETE FROM portal_memberships WHERE user_id = '900003'")
        let loadRuns = try store.runs(pipeline: pipeline.name, kind: "reconcile", limit: 1000).count

        // Paced over several seconds, so that several passes run while it streams.
        try await offPool {
            for _ in 0..<25 {
                try workload.run(operations: 80)
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        let expected = try workload.expected()
        let path = fixture.sqlitePath
        try await converge("periodic reconciliation beside the stream", seed: workload.seed, expected: expected) {
            let database = try SQLiteDatabase(path: path)
            return try DirectoryRows.target { try database.query($0) }
        }
        // Let one more pass run after the workload, then look at what the passes did.
        try await Task.sleep(for: .seconds(2))
        let runs = try store.runs(pipeline: pipeline.name, kind: "reconcile", limit: 1000).dropLast(loadRuns)
        #expect(runs.count >= 2, "passes beside the stream: \(runs.map { "\($0.startedAt) \($0.ops) \($0.error ?? "")" }), load runs \(loadRuns)")
        #expect(runs.allSatisfy { $0.error == nil }, "\(runs.compactMap(\.error))")
        let repairs = runs.map { $0.ops.values.reduce(0, +) }.reduce(0, +)
        #expect(repairs >= 1, "the hand-made drift was repaired by a pass")
        #expect(repairs <= 3, "passes repaired more than the hand-made drift: \(runs.map(\.ops))")
        running.cancel()
        try await running.value
    }
}
