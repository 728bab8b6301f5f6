import Config
import Daemon
import Foundation
import OffsetStore
import SQLClients
import Testing
import TestSupport

/// `scimsync run` killed with SIGKILL at random points — once during the first load of a
/// 20,000-user directory, five times while streaming — and started again each time, while a
/// random workload writes to the source: the target converges to the mapping of the source,
/// with no row lost or duplicated, and the last run stops cleanly on SIGTERM.
@Suite struct CrashSafetyTests {
    static let directorySize = 20_000

    /// The seed directory plus `count` users with one membership each, in multi-row inserts.
    func bulkLoad(_ source: MariaDBConnection, count: Int, random: inout SeededGenerator) throws {
        for start in stride(from: 0, to: count, by: 1_000) {
            let ids = (start..<min(start + 1_000, count)).map { 10_000 + $0 }
            try source.execute(
                "INSERT INTO sync_users (id, username, first_name, last_name, email, is_active) VALUES "
                    + ids.map { "(\($0), 'bulk\($0)', 'Fïrst\($0)', 'Läst', 'b\($0)@example.com', \($0 % 7 == 0 ? 0 : 1))" }
                    .joined(separator: ","))
            try source.execute(
                "INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES "
                    + ids.map { "(\($0), \(Int.random(in: 1...4, using: &random)))" }.joined(separator: ","))
        }
    }

    @Test func killedAndRestartedItConverges() async throws {
        let fixture = try ExampleDirectories()
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SeededGenerator(seed: seed)
        try bulkLoad(PipelineHarness.source(fixture), count: Self.directorySize, random: &random)
        let workload = try DirectoryWorkload(source: PipelineHarness.source(fixture), seed: seed)
        workload.additionsOnly = true
        let daemon = try DaemonProcess(
            stateDirectory: fixture.stateDirectory, environment: fixture.environment, workloadRemovals: true)
        let store = try OffsetStore(path: fixture.stateDirectory + "/offsets.db")
        let sqlitePath = fixture.sqlitePath
        // WAL, so that counting the target's rows never waits for the load's write
        // transactions: the first kill must land in the middle of the load.
        _ = try SQLiteDatabase(path: sqlitePath).query("PRAGMA journal_mode=WAL")
        func users() -> Int {
            guard let database = try? SQLiteDatabase(path: sqlitePath),
                case .int(let number)? = try? database.query("SELECT COUNT(*) FROM portal_users").first?.values.first
            else { return -1 }
            return Int(number)
        }

        let writing = WorkloadRunner(workload, limit: 4_000)
        // 1: in the middle of the first load: a failpoint kills the daemon after its fifth load
        // batch (the test process could be too slow to catch it there from outside).
        try daemon.start(extra: ["SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS": "5"])
        let killed = try await daemon.waitForExit()
        #expect(killed?.reason == .uncaughtSignal && killed?.status == SIGKILL, "seed \(seed): \(String(describing: killed))")
        #expect(try store.position(pipeline: "hr-to-portal") == nil, "seed \(seed): the first kill came after the load")
        let partial = users()
        #expect(partial > 0 && partial < Self.directorySize, "seed \(seed): \(partial) users loaded at the first kill")

        try daemon.start()
        try #require(try await eventually { try store.position(pipeline: "hr-to-portal") != nil }, "seed \(seed): the first load never committed: \(daemon.log.suffix(2000))")
        workload.additionsOnly = false

        // 2...6: at random points of the stream.
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1_200, using: &random)))
            daemon.kill9()
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...300, using: &random)))
            try daemon.start()
        }
        let operations = try await writing.stop()
        #expect(operations >= 1_000, "seed \(seed): only \(operations) operations ran")

        let expected = try workload.expected()
        #expect(expected.users.count > Self.directorySize)
        try await converge("the restarted daemon", seed: seed, expected: expected) {
            let database = try SQLiteDatabase(path: sqlitePath)
            return try DirectoryRows.target { try database.query($0) }
        }
        let stopped = try await daemon.terminate()
        #expect(stopped?.reason == .exit)
        #expect(stopped?.status == 0)
    }
}

extension CrashSafetyTests {
    /// The example directories with the seed directory and ``directorySize`` users more in the
    /// source (memberships drawn by `seed`), a daemon not started yet, and its offset store.
    func bulkLoadedFixture(seed: UInt64) throws
        -> (fixture: ExampleDirectories, source: MariaDBConnection, daemon: DaemonProcess, store: OffsetStore)
    {
        let fixture = try ExampleDirectories()
        var random = SeededGenerator(seed: seed)
        let source = try PipelineHarness.source(fixture)
        try bulkLoad(source, count: Self.directorySize, random: &random)
        let daemon = try DaemonProcess(
            stateDirectory: fixture.stateDirectory, environment: fixture.environment, workloadRemovals: true)
        return (fixture, source, daemon, try OffsetStore(path: fixture.stateDirectory + "/offsets.db"))
    }

    /// A first load killed half-way starts again from a new snapshot as a reconciliation
    /// against what the first attempt loaded: what the source removed between the two
    /// snapshots — here a user the first attempt loaded and that was then deleted — is
    /// deactivated (it is in the ledger: the first attempt created it), not kept as it was.
    @Test func aRestartedFirstLoadRemovesWhatTheSourceRemovedBetweenItsSnapshots() async throws {
        let (fixture, source, daemon, store) = try bulkLoadedFixture(seed: 1)
        let sqlitePath = fixture.sqlitePath
        // Batches: groups 1, parents 1, then users 5,000 at a time in key order: killed right
        // after the first users' batch, which holds user 10000.
        try daemon.start(extra: ["SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS": "3"])
        let killed = try await daemon.waitForExit()
        #expect(killed?.reason == .uncaughtSignal && killed?.status == SIGKILL, "\(String(describing: killed))")
        try #require(try store.position(pipeline: "hr-to-portal") == nil, "the kill came after the load")
        let attempt = try SQLiteDatabase(path: sqlitePath)
        let partial = try attempt.query("SELECT COUNT(*) FROM portal_users").first?.values.first
        #expect(partial != nil && partial != .int(0) && partial != .int(Int64(Self.directorySize + 4)))
        try #require(try attempt.query("SELECT id FROM portal_users WHERE id = '10000'").count == 1)

        // Loaded by the first attempt, then removed at the source.
        let lastRow = try source.query(
            "SELECT id, username, first_name, last_name, email, job_title, employee_number FROM sync_users WHERE id = 10000")
        try source.execute("DELETE FROM sync_users WHERE id = 10000")
        try daemon.start()
        // A pass over 20,000 users against the partial target: 2 s alone, but minutes while
        // every suite runs at once on a loaded machine.
        try await eventually(timeout: TestBounds.serverEvent * 2) { try store.position(pipeline: "hr-to-portal") != nil }
        try #require(
            try store.position(pipeline: "hr-to-portal") != nil,
            "the restarted load did not commit; the daemon's log ends:\n\(daemon.log.split(separator: "\n").suffix(30).joined(separator: "\n"))")
        let target = try SQLiteDatabase(path: sqlitePath)
        let user = try target.query(
            "SELECT id, login, given_name, family_name, mail, title, employee_no, enabled FROM portal_users WHERE id = '10000'")
        // Everything else arrived: the target has every source user.
        #expect(try target.query("SELECT id FROM portal_users").count == Self.directorySize + 4)
        #expect(user.map(DirectoryRows.text) == lastRow.map { DirectoryRows.text($0) + "|0" })
        _ = try await daemon.terminate()
    }
}

/// Runs a workload's transactions on a Dispatch thread until stopped or `limit` operations ran.
final class WorkloadRunner: @unchecked Sendable {
    private let done: Task<Int, any Error>
    private let flag: StopFlag
    private let ended = StopFlag()

    /// Whether the writer has stopped by itself: `limit` reached, or an error.
    var finished: Bool { ended.isSet }

    init(_ workload: DirectoryWorkload, limit: Int) {
        let flag = StopFlag()
        self.flag = flag
        let ended = self.ended
        done = Task {
            try await offPool {
                defer { ended.set() }
                // Paced, and capped, so that the daemon (killed every second) keeps up.
                while !flag.isSet, workload.operations < limit {
                    try workload.run(operations: 1)
                    Thread.sleep(forTimeInterval: 0.02)
                }
                return workload.operations
            }
        }
    }

    /// Stops after the transaction in progress; the number of operations committed.
    func stop() async throws -> Int {
        flag.set()
        return try await done.value
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension CrashSafetyTests {
    /// Killed inside the memberships' one transaction, while the relation table's index is
    /// set aside: the database rolls the transaction back, so the table keeps its index and no
    /// membership of the attempt, and the restarted daemon loads them all.
    @Test func killedInsideTheMembershipsTransactionTheRelationTableKeepsItsIndex() async throws {
        let (fixture, source, daemon, store) = try bulkLoadedFixture(seed: 2)
        let sqlitePath = fixture.sqlitePath
        try SQLiteDatabase(path: sqlitePath).execute("CREATE INDEX portal_memberships_group ON portal_memberships (group_id)")
        func relation() throws -> (indexes: [String], rows: Int) {
            let database = try SQLiteDatabase(path: sqlitePath)
            let indexes = try database.query(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'portal_memberships' AND sql IS NOT NULL")
            guard case .int(let count)? = try database.query("SELECT COUNT(*) FROM portal_memberships").first?.values.first
            else { return (indexes.map(DirectoryRows.text), -1) }
            return (indexes.map(DirectoryRows.text), Int(count))
        }
        // Batches: groups 1, parents 1, users 5 (20,004 users), then the memberships' chunks,
        // each counted as it is written inside their one transaction: the ninth is the second.
        try daemon.start(extra: ["SCIMSYNC_FAILPOINT_KILL_AFTER_LOAD_CHUNKS": "9"])
        let killed = try await daemon.waitForExit()
        #expect(killed?.reason == .uncaughtSignal && killed?.status == SIGKILL, "\(String(describing: killed))")
        #expect(try store.position(pipeline: "hr-to-portal") == nil, "the kill came after the load")
        let afterKill = try relation()
        #expect(afterKill.indexes == ["portal_memberships_group"])
        #expect(afterKill.rows == 0)

        try daemon.start()
        try #require(
            try await eventually { try store.position(pipeline: "hr-to-portal") != nil },
            "the restarted load never committed: \(daemon.log.suffix(2000))")
        guard case .int(let expected)? = try source.query("SELECT COUNT(*) FROM sync_users_groups_rel").first?.values.first
        else { throw CancellationError() }
        let loaded = try relation()
        #expect(loaded.indexes == ["portal_memberships_group"])
        #expect(loaded.rows == Int(expected))
        _ = try await daemon.terminate()
    }
}
