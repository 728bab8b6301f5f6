import Config
import Daemon
import Foundation
import Inspection
import OffsetStore
import SQLClients
import TestSupport
import Testing
import scimsync

/// A stored position whose binlog was purged is recovered by the same path as the
/// first load — a reconciliation from a new consistent snapshot — and streaming goes on from
/// that snapshot's position, without a restart by hand. Its removals count against the
/// safety limit like any pass: here it is refused, holds the pipeline, and goes through once
/// approved (`scimsync approve`).
@Suite struct LostPositionTests {
    @Test func aPurgedPositionIsRecoveredByReconciliation() async throws {
        let fixture = try PrivateSourceFixture()
        let config = try ConfigLoader.parse(
            // A count of 0: every removal holds (a share lets the first five through).
            try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml").replacingOccurrences(
                of: "maxRemovals: 10%", with: "maxRemovals: 0"), file: "mariadb-to-sqlite.yaml",
            baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let source = try fixture.source()

        var running = PipelineHarness.start(pipeline, store: store)
        try #require(try await eventually { try store.position(pipeline: pipeline.name) != nil }, "the first load did not commit")
        running.cancel()
        try await running.value

        // Changes while the daemon is down, then the binlog that holds them is purged.
        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        let leaver = try #require(
            try target.query(
                "SELECT id, login, given_name, family_name, mail, title, employee_no, enabled FROM portal_users WHERE id = '2'"
            ).first)
        try source.execute("UPDATE sync_users SET first_name = 'Babs' WHERE id = 1")
        try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id = 2")
        try source.execute("DELETE FROM sync_users WHERE id = 2")
        try source.execute("INSERT INTO sync_users (id, username, first_name) VALUES (50, 'newcomer', 'Nina')")
        try source.execute("INSERT INTO sync_users_groups_rel VALUES (50, 4)")
        guard case .binlog(let storedFile, _, _)? = try store.position(pipeline: pipeline.name) else {
            Issue.record("no binlog position stored")
            return
        }
        // MariaDB keeps a binlog until its binlog checkpoint moved on (and while a dump thread
        // reads it): rotate and purge until the stored file is gone.
        var remaining: [String] = []
        let purgeDeadline = ContinuousClock.now + .seconds(20)
        repeat {
            try source.execute("FLUSH BINARY LOGS")
            let current = try #require(try source.query("SHOW MASTER STATUS").first?.values.first)
            // A file name the server just gave (PURGE takes no parameter marker).
            try source.execute("PURGE BINARY LOGS TO '\(DirectoryRows.text(current))'")
            remaining = try source.query("SHOW BINARY LOGS").map { DirectoryRows.text($0.values[0]) }
            if !remaining.contains(storedFile) { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < purgeDeadline
        try #require(!remaining.contains(storedFile), "the stored position's binlog \(storedFile) was not purged: \(remaining)")

        running = PipelineHarness.start(pipeline, store: store)
        defer { running.cancel() }
        // One deactivation is more than maxRemovals' 0: the recovery pass is refused and holds
        // the pipeline until approved.
        try await eventually { try store.hold(pipeline: pipeline.name) != nil }
        let hold = try #require(try store.hold(pipeline: pipeline.name), "the recovery pass was not refused")
        #expect(hold.reason.contains("reconcile.maxRemovals"))
        #expect(
            try await eventually { try PipelineStatus.all(config, askSources: nil).first?.state.hasPrefix("paused") == true },
            "status does not say paused")
        try store.approve(pipeline: pipeline.name)
        var expected = try DirectoryRows.source(source, deactivated: [DirectoryRows.text(leaver).dropLast() + "0"])
        let path = fixture.sqlitePath
        try await converge("recovery from a purged position", seed: 0, expected: expected) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
        // The target converged when the pass applied; its position is committed right after.
        var file = ""
        try await eventually {
            if case .binlog(let stored, _, _)? = try store.position(pipeline: pipeline.name) { file = stored }
            return remaining.contains(file)
        }
        #expect(remaining.contains(file), "streaming resumed from the new snapshot's position")
        #expect(try store.hold(pipeline: pipeline.name) == nil, "the approved pass lifted the hold")

        // Streaming goes on after the recovery, with no further traffic: the batch in hand never
        // waits for the source's next transaction (a BINLOG_CHECKPOINT or heartbeat queued
        // behind it once made it wait for an unrelated change).
        try source.execute("UPDATE sync_users SET last_name = 'Streamed' WHERE id = 3")
        expected = try DirectoryRows.source(source, deactivated: [DirectoryRows.text(leaver).dropLast() + "0"])
        try await converge("streaming after the recovery", seed: 0, expected: expected) {
            try DirectoryRows.target { try SQLiteDatabase(path: path).query($0) }
        }
        running.cancel()
        try await running.value
    }
}
