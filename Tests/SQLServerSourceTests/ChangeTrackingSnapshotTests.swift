import Connectors
import Directory
import Reconcile
import TestSupport
import Testing

@testable import SQLServerSource

/// The first load's snapshot and the check probe against the TDS test double.
@Suite struct ChangeTrackingSnapshotTests {
    @Test func loadsEveryRowInChunksAtItsVersion() async throws {
        let source = try SourceDatabase()
        let connector = source.connector()
        let snapshot = try await connector.openSnapshot()
        // A change after the snapshot started is not in it.
        try source.run("INSERT INTO sync_users (id, username) VALUES (99, N'later')")
        let phases = try #require(try snapshot.loadPhases(chunkSize: 2))
        #expect(phases.map(\.name) == ["groups", "parents", "users", "memberships"])
        var counts: [String: Int] = [:]
        var chunks = 0
        for phase in phases {
            for ops in try phase.allChunks() {
                chunks += 1
                counts[phase.name, default: 0] += ops.count
            }
        }
        try snapshot.finish()
        #expect(counts == ["groups": 4, "parents": 4, "users": 4, "memberships": 4])
        #expect(chunks >= 8)
        guard case .changeTracking(let version) = snapshot.position else {
            Issue.record("position \(snapshot.position)")
            return
        }
        // The stream from the snapshot's version sees the later insert.
        let stream = try await connector.openStream(from: .changeTracking(version: version))
        let (ops, _) = try await collect(stream) { !$0.isEmpty }
        #expect(ops.count == 1)
        #expect(connector.hasReached(.changeTracking(version: version), snapshot.position))
        #expect(!connector.hasReached(.changeTracking(version: version - 1), snapshot.position))
    }

    @Test func readsTheSnapshotForReconciliation() async throws {
        let source = try SourceDatabase()
        let snapshot = try await source.connector().openSnapshot()
        defer { try? snapshot.finish() }
        var users = try snapshot.reader.entries(.user, chunkSize: 3, order: .numeric)
        var ids: [String] = []
        while let chunk = try users.next() { ids += chunk.map(\.id) }
        #expect(ids == ["1", "2", "3", "4"])
        var memberships = try snapshot.reader.memberships(chunkSize: 3, order: .numeric)
        var pairs: [String] = []
        while let chunk = try memberships.next() { pairs += chunk.map { "\($0.userID)/\($0.groupID)" } }
        #expect(pairs == ["1/4", "2/2", "3/3", "4/3"])
        #expect(snapshot.idTypes.users == .integer(unsigned: false))
    }

    @Test func probePassesOnAPreparedDatabase() async throws {
        let source = try SourceDatabase()
        let checks = await source.connector().probe()
        #expect(!checks.contains { $0.status == .failed }, "\(checks)")
        #expect(checks.contains { $0.detail.contains("snapshot isolation is allowed") })
        #expect(checks.filter { $0.detail.contains("may read table") }.count == 3)
    }

    @Test func probeNamesTheFixForEachMissingSetting() async throws {
        let source = try SourceDatabase(retentionDays: 1)
        try source.run("ALTER TABLE sync_users DISABLE CHANGE_TRACKING")
        try source.run("ALTER DATABASE [\(source.server.database!)] SET ALLOW_SNAPSHOT_ISOLATION OFF")
        var settings = source.connector().settings
        settings.reconcileEvery = .seconds(3 * 86_400)
        let checks = await SQLServerConnector(settings, logger: .init(label: "t")).probe()
        let failed = checks.filter { $0.status == .failed }.map(\.detail)
        #expect(failed.contains { $0.contains("ALTER TABLE [dbo].[sync_users] ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)") }, "\(checks)")
        #expect(failed.contains { $0.contains("SET ALLOW_SNAPSHOT_ISOLATION ON") }, "\(checks)")
        #expect(checks.contains { $0.status == .warning && $0.detail.contains("CHANGE_RETENTION = 3 DAYS") }, "\(checks)")
    }

    @Test func probeSuggestsNamesForMissingColumns() async throws {
        let source = try SourceDatabase()
        var layout = SeedLayout.layout
        layout.users.attributes.entries[1].column = "usernam"
        let checks = await source.connector(layout: layout).probe()
        #expect(checks.contains { $0.status == .failed && $0.detail.contains("username") }, "\(checks)")
    }
}
