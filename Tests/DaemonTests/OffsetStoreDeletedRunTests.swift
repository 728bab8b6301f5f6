import Directory
import Foundation
import OffsetStore
import SQLClients
import Testing
import TestSupport

/// `scimsync run` whose offset store is deleted while it runs (a cleaner of temporary files, a
/// mistaken `rm`): it stops, writes the store back from the file it still has open, and the
/// next start streams on from the positions and ledger it held, loading nothing again.
@Suite struct OffsetStoreDeletedRunTests {
    @Test func aStoreDeletedWhileRunningIsWrittenBackAndTheNextStartGoesOn() async throws {
        let fixture = try ExampleDirectories()
        let daemon = try DaemonProcess(
            stateDirectory: fixture.stateDirectory, configText: try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml"),
            environment: fixture.environment)
        func memberships() -> Int {
            guard let target = try? SQLiteDatabase(path: fixture.sqlitePath),
                case .int(let n)? = try? target.query("SELECT COUNT(*) FROM portal_memberships").first?.values.first
            else { return -1 }
            return Int(n)
        }
        let source = try MariaDBConnection(
            host: fixture.environment["HR_DB_HOST"]!, port: Int(fixture.environment["HR_DB_PORT"]!)!,
            user: fixture.environment["HR_DB_USER"]!, password: fixture.environment["HR_DB_PASSWORD"]!,
            database: fixture.hrDatabase)
        let storePath = fixture.stateDirectory + "/offsets.db"

        try daemon.start()
        try #require(try await eventually { memberships() == 4 }, "the first load arrives")
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (1, 1)")
        try #require(try await eventually { memberships() == 5 }, "the streamed change arrives")

        try FileManager.default.removeItem(atPath: storePath)
        // A change streamed after the deletion is committed into the open store, and kept.
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (2, 1)")
        let stopped = try await daemon.waitForExit()
        try #require(stopped != nil, "the daemon stops by itself")
        #expect(stopped?.reason == .exit && stopped?.status == 1)
        #expect(
            daemon.log.contains("the offset store \(storePath) was deleted while scimsync ran; what it held is written back there"),
            "\(daemon.log.suffix(2_000))")

        let store = try OffsetStore(path: storePath)
        #expect(try store.position(pipeline: "hr-to-portal") != nil, "the position is back")
        #expect(try store.owned(["1", "2", "3", "4"], kind: .user, pipeline: "hr-to-portal") == ["1", "2", "3", "4"])
        #expect(try store.owned(["1", "2", "3", "4"], kind: .group, pipeline: "hr-to-portal") == ["1", "2", "3", "4"])

        // The next start streams on from there: no second load, and a change made while
        // it was stopped arrives.
        let before = daemon.log.count
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (3, 1)")
        try daemon.start()
        try #require(try await eventually { memberships() == 7 }, "the changes made around the stop arrive")
        let ended = try await daemon.terminate()
        #expect(ended?.reason == .exit && ended?.status == 0)
        let restarted = String(daemon.log.dropFirst(before))
        #expect(!restarted.contains("loading from a consistent snapshot"), "\(restarted.suffix(2_000))")
        #expect(!restarted.contains("quarantine"), "\(restarted.suffix(2_000))")
    }
}
