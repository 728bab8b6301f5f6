import FeedSource
import Foundation
import OffsetStore
import SQLClients
import Testing
import TestSupport

/// `scimsync run` killed with SIGKILL in the middle of applying a feed run resumes it: every
/// user once, every membership once, the run complete, nothing applied twice that was
/// recorded and nothing lost.
@Suite struct FeedCrashTests {
    /// Each makes two operations (the user, its membership): 16,000 operations. Group commit
    /// stops joining chunks of 500 users once a batch holds 5,000 operations, so a batch has
    /// fewer than 6,000 and the run takes at least three however fast the daemon reads its
    /// chunks: the kill after the second lands before the end.
    static let extraUsers = 8000

    @Test func aRunKilledWhileApplyingResumes() async throws {
        let feed = try await FeedPipelineFixture(.sqlite)
        let directory = feed.fixture.stateDirectory
        let configPath = directory + "/scimsync.yaml"
        let logPath = directory + "/scimsync.log"
        try FeedPipelineFixture.configText(.sqlite).write(toFile: configPath, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let environment = feed.fixture.environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        func start(_ extra: [String: String] = [:]) throws -> Process {
            let process = Process()
            process.executableURL = CheckCommandTests.executable
            process.arguments = ["run", "--config", configPath]
            process.environment = environment.merging(extra) { _, extra in extra }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            return process
        }
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        let sqlitePath = feed.fixture.sqlitePath
        func count(_ sql: String) -> Int {
            guard let database = try? SQLiteDatabase(path: sqlitePath),
                case .int(let number)? = try? database.query(sql).first?.values.first
            else { return -1 }
            return Int(number)
        }

        // The sample upload with thousands more staff: a run of many chunks.
        var staff = try #require(
            String(data: try Data(contentsOf: URL(fileURLWithPath: FeedPipelineFixture.upload + "/staff.tsv")), encoding: .windowsCP1252))
        for index in 0..<Self.extraUsers {
            staff += "bulk\(index)\tFïrst\(index)\tLäst\tbulk\(index)@example.com\tClerk\tStaff\r\n"
        }
        let total = Self.extraUsers + 11
        let staged = try feed.stage(["staff.tsv": try #require(staff.data(using: .windowsCP1252))])
        #expect(staged.run.counts["records"] == total)

        // The daemon kills itself once the target has applied the run's second batch, before
        // it is recorded as applied: the restart must apply it again, harmlessly.
        let first = try start(["SCIMSYNC_FAILPOINT_KILL_AFTER_STREAM_BATCHES": "2"])
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        try await feed.waitUntil("the first load (managed groups)") { count("SELECT COUNT(*) FROM portal_groups") == 2 }
        try feed.site.approve(run: staged.run.id, by: "carol")

        try await feed.waitUntil("the daemon killed by its failpoint") { !first.isRunning }
        #expect(first.terminationReason == .uncaughtSignal && first.terminationStatus == SIGKILL, "\(log)")
        let usersAtKill = count("SELECT COUNT(*) FROM portal_users")
        #expect(usersAtKill > 0 && usersAtKill < total, "the kill did not land in the middle of the run: \(usersAtKill) of \(total)")
        let killed = try #require(try feed.site.run(staged.run.id))
        #expect(killed.state == .running)
        #expect(killed.appliedThrough < killed.planned)

        // Restarted, it resumes the run and completes it.
        let second = try start()
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        try await feed.waitForRun(staged.run.id, .complete)
        #expect(log.contains("feed run: resuming"), "\(log)")
        #expect(count("SELECT COUNT(*) FROM portal_users") == total)
        #expect(count("SELECT COUNT(*) FROM portal_users WHERE enabled = 1") == total)
        #expect(count("SELECT COUNT(*) FROM portal_memberships") == Self.extraUsers + FeedPipelineTests.sampleMembers.count)
        #expect(count("SELECT COUNT(*) FROM portal_memberships m LEFT JOIN portal_users u ON u.id = m.user_id WHERE u.id IS NULL") == 0)
        let done = try #require(try feed.site.run(staged.run.id))
        #expect(done.counts["create"] == total)
        #expect(done.appliedThrough == done.planned)
        let known = try feed.site.store.users()
        #expect(known.count == total && known.allSatisfy { $0.owned && $0.inFeed && !$0.error })

        second.terminate()
        let deadline = ContinuousClock.now + TestBounds.serverEvent
        while second.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!second.isRunning && second.terminationReason == .exit && second.terminationStatus == 0)
        #expect(try OffsetStore(path: feed.config.offsets.path).position(pipeline: feed.pipeline.name)
            == FeedPosition(run: staged.run.id, applied: done.planned).sourcePosition)
    }
}
