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
        let configPath = fixture.stateDirectory + "/scimsync.yaml"
        let text = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "serverId: 4242", with: "serverId: \(UInt32.random(in: 10_000...900_000))")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = fixture.stateDirectory + "/run.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        func start() throws -> Process {
            let process = Process()
            process.executableURL = CheckCommandTests.executable
            process.arguments = ["run", "--config", configPath]
            process.environment = fixture.environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            return process
        }
        func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
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

        var process = try start()
        defer { if process.isRunning { process.terminate() } }
        try #require(try await eventually { memberships() == 4 }, "the first load arrives")
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (1, 1)")
        try #require(try await eventually { memberships() == 5 }, "the streamed change arrives")

        try FileManager.default.removeItem(atPath: storePath)
        // A change streamed after the deletion is committed into the open store, and kept.
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (2, 1)")
        try #require(try await eventually { !process.isRunning }, "the daemon stops by itself")
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
        #expect(
            log().contains("the offset store \(storePath) was deleted while scimsync ran; what it held is written back there"),
            "\(log().suffix(2_000))")

        let store = try OffsetStore(path: storePath)
        #expect(try store.position(pipeline: "hr-to-portal") != nil, "the position is back")
        #expect(try store.owned(["1", "2", "3", "4"], kind: .user, pipeline: "hr-to-portal") == ["1", "2", "3", "4"])
        #expect(try store.owned(["1", "2", "3", "4"], kind: .group, pipeline: "hr-to-portal") == ["1", "2", "3", "4"])

        // The next start streams on from there: no second load, and a change made while
        // it was stopped arrives.
        let before = log().count
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (3, 1)")
        process = try start()
        try #require(try await eventually { memberships() == 7 }, "the changes made around the stop arrive")
        process.terminate()
        try await offPool { [process] in process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
        let restarted = String(log().dropFirst(before))
        #expect(!restarted.contains("loading from a consistent snapshot"), "\(restarted.suffix(2_000))")
        #expect(!restarted.contains("quarantine"), "\(restarted.suffix(2_000))")
    }
}
