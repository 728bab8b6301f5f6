import Foundation
import OffsetStore
import SQLClients
import Testing
import TestSupport

/// One `scimsync run` per offset store: a second `run` (or a `reconcile`) on the same store
/// refuses to start and names the first, which goes on streaming; `status` keeps working; the
/// lock dies with its holder, kill -9 included.
@Suite struct OffsetStoreLockCommandTests {
    @Test func aSecondRunIsRefusedWhileTheFirstStreams() async throws {
        let fixture = try PrivateSourceFixture()
        let first = try DaemonProcess(stateDirectory: fixture.stateDirectory, environment: fixture.environment)
        try first.start()
        let memberships = "SELECT COUNT(*) FROM portal_memberships"
        try await waitUntil { fixture.count(memberships) == 4 }
        try #require(fixture.count(memberships) == 4, "the first load did not arrive: \(first.log)")
        let firstPID = try #require(first.process?.processIdentifier)

        // The same configuration again: refused at once, naming the first.
        let second = try await scimsync(["run", "--config", first.configPath], environment: fixture.environment)
        let storePath = fixture.stateDirectory + "/offsets.db"
        #expect(second.status == 1, "\(second.output)")
        #expect(second.output.contains("the offset store \(storePath) is in use by scimsync run (pid \(firstPID) on host "),
            "\(second.output)")
        #expect(second.output.contains("stop it first, or give this configuration its own offsets.path"), "\(second.output)")
        // A reconciliation would write too; a dry run and status only read.
        let reconcile = try await scimsync(["reconcile", "--config", first.configPath], environment: fixture.environment)
        #expect(reconcile.status == 2, "\(reconcile.output)")
        #expect(reconcile.output.contains("is in use by scimsync run (pid \(firstPID)"), "\(reconcile.output)")
        let status = try await scimsync(["status", "--config", first.configPath], environment: fixture.environment)
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.contains("hr-to-portal"), "\(status.output)")

        // The first goes on undisturbed.
        _ = try fixture.source().execute("INSERT INTO sync_users_groups_rel VALUES (1, 1)")
        try await waitUntil { fixture.count(memberships) == 5 }
        #expect(fixture.count(memberships) == 5, "the live change did not arrive: \(first.log)")
        #expect(first.process?.isRunning == true)

        // kill -9 leaves no stale lock: a new run starts and streams.
        first.kill9()
        let third = try DaemonProcess(stateDirectory: fixture.stateDirectory, environment: fixture.environment)
        try third.start()
        _ = try fixture.source().execute("DELETE FROM sync_users_groups_rel WHERE user_id = 1 AND group_id = 1")
        try await waitUntil { fixture.count(memberships) == 4 }
        #expect(fixture.count(memberships) == 4, "the run after kill -9 does not stream: \(third.log)")
        #expect(!third.log.contains("in use by"), "\(third.log)")
        let stopped = try await third.terminate()
        #expect(stopped?.status == 0, "\(third.log)")
    }

    /// Runs a scimsync command to its end (at most 120 s) and returns its status and output.
    private func scimsync(_ arguments: [String], environment: [String: String]) async throws -> CheckCommandTests.Outcome {
        let process = Process()
        process.executableURL = CheckCommandTests.executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        let outputPath = NSTemporaryDirectory() + "scimsync-lock-\(UUID().uuidString).out"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("scimsync \(arguments.joined(separator: " ")) did not exit within 120 s")
        }
        try output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return CheckCommandTests.Outcome(status: process.terminationStatus, output: text)
    }

    /// Polls `condition` until it holds or 120 s have passed.
    private func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }
}
