import Config
import Daemon
import Foundation
import Inspection
import MySQLSource
import OffsetStore
import SQLClients
import TestSupport
import Testing
import scimsync

/// What the stream keeps, whatever the source does, against a real MariaDB and SQLite target:
/// nothing waits for unrelated traffic, nothing is removed in bulk without approval, what the
/// binlog does not carry is recovered from the source, a mapping the source no longer fits
/// pauses before anything wrong is written, and one refused row never stops the rest.
@Suite struct StreamGuaranteeTests {
    static let retry = ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))

    /// Runs the SQLite example pipeline on `fixture`'s source; returns it once its first load committed.
    static func start(
        environment: [String: String], stateDirectory: String, anyRemovals: Bool = false
    ) async throws -> (pipeline: PipelineConfig, config: ScimsyncConfig, store: OffsetStore, task: Task<Void, any Error>) {
        let config = try ConfigLoader.parse(
            try PipelineHarness.exampleText("config/mariadb-to-sqlite.yaml", workloadRemovals: anyRemovals),
            file: "mariadb-to-sqlite.yaml",
            baseDirectory: stateDirectory, kinds: configKinds, environment: environment)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let task = PipelineHarness.start(pipeline, store: store, retry: retry)
        try #require(try await eventually { try store.position(pipeline: pipeline.name) != nil }, "the first load did not commit")
        return (pipeline, config, store, task)
    }

    static func count(_ path: String, _ sql: String) -> Int {
        guard let database = try? SQLiteDatabase(path: path),
            case .int(let number)? = try? database.query(sql).first?.values.first
        else { return -1 }
        return Int(number)
    }

    /// The target is down (the test holds SQLite's write lock) while two users are added; the
    /// source then falls idle and sends its heartbeat. Once the target is back, both arrive with
    /// no further source traffic: the batch in hand never waits for the source's next change.
    @Test func changesMadeDuringATargetOutageArriveWithoutFurtherTraffic() async throws {
        let fixture = try PrivateSourceFixture()
        let (_, _, _, task) = try await Self.start(environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let lock = try SQLiteDatabase(path: fixture.sqlitePath)
        try lock.execute("BEGIN IMMEDIATE")
        let source = try fixture.source()
        try source.execute("INSERT INTO sync_users (id, username) VALUES (60, 'outage-a')")
        try source.execute("INSERT INTO sync_users (id, username) VALUES (61, 'outage-b')")
        // Not a wait for a result: the outage must outlast the server's idle heartbeat (every
        // 10 s), so that one is queued behind the second insert, as in a real outage.
        try await Task.sleep(for: .seconds(12))
        try lock.execute("ROLLBACK")
        let path = fixture.sqlitePath
        let arrived = try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id IN ('60', '61')") == 2 }
        #expect(arrived, "a change made during the outage waited for more source traffic")
    }

    /// `DELETE FROM sync_users WHERE id > 10` in a 104-user directory would deactivate 94
    /// users: far beyond 10%. The stream holds it (paused, with the reason in `status`),
    /// applies nothing of it, and lets it through once approved.
    @Test func aMassRemovalHoldsTheStreamUntilApproved() async throws {
        let fixture = try ExampleDirectories()
        let source = try PipelineHarness.source(fixture)
        try source.execute(
            "INSERT INTO sync_users (id, username) VALUES " + (11...110).map { "(\($0), 'bulk\($0)')" }.joined(separator: ","))
        let (pipeline, config, store, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let path = fixture.sqlitePath
        try source.execute("DELETE FROM sync_users WHERE id > 100")
        try #require(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE enabled = 0 AND CAST(id AS INTEGER) > 100") == 10 },
            "ten removals are within the limit")

        try source.execute("DELETE FROM sync_users WHERE id > 10")
        try #require(try await eventually { try store.hold(pipeline: pipeline.name) != nil }, "the mass removal was not held")
        let hold = try #require(try store.hold(pipeline: pipeline.name))
        #expect(hold.reason.contains("reconcile.maxRemovals"), "\(hold.reason)")
        #expect(hold.reason.contains("scimsync approve"))
        // The hold is stored before the state the daemon reports is.
        #expect(
            try await eventually { (try PipelineStatus.all(config, askSources: nil).first?.state ?? "").hasPrefix("paused") },
            "status does not say paused")
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE enabled = 1 AND CAST(id AS INTEGER) BETWEEN 11 AND 100") == 90)

        try store.approve(pipeline: pipeline.name)
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE enabled = 0 AND CAST(id AS INTEGER) > 10") == 100 },
            "the approved removals did not arrive")
        #expect(try await eventually { try store.hold(pipeline: pipeline.name) == nil }, "the approval did not lift the hold")
    }

    /// One source transaction removes 25,000 of 25,004 users: more row changes than the
    /// reader holds at once, so it comes in three parts, each beyond the limit alone. One
    /// approval lets the whole transaction through; its later parts are not held again.
    @Test func aMassRemovalInOneLargeTransactionIsApprovedOnce() async throws {
        let fixture = try ExampleDirectories()
        let source = try PipelineHarness.source(fixture)
        for start in stride(from: 11, through: 25_010, by: 5_000) {
            try source.execute(
                "INSERT INTO sync_users (id, username) VALUES "
                    + (start..<(start + 5_000)).map { "(\($0), 'bulk\($0)')" }.joined(separator: ","))
        }
        let (pipeline, _, store, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let path = fixture.sqlitePath
        try source.execute("DELETE FROM sync_users WHERE id > 10")
        try #require(try await eventually { try store.hold(pipeline: pipeline.name) != nil }, "the mass removal was not held")
        let removed = "SELECT COUNT(*) FROM portal_users WHERE enabled = 0 AND CAST(id AS INTEGER) > 10"
        #expect(Self.count(path, removed) == 0)

        try store.approve(pipeline: pipeline.name)
        // A hold not approved is a new one: a later part held again, which waits forever.
        func heldAgain() throws -> Bool { try store.hold(pipeline: pipeline.name).map { !$0.approved } ?? false }
        let settled = try await eventually {
            try heldAgain() || (Self.count(path, removed) == 25_000 && store.hold(pipeline: pipeline.name) == nil)
        }
        #expect(settled, "the approved removals did not arrive")
        #expect(try !heldAgain(), "a later part of the approved transaction was held again")
        #expect(Self.count(path, removed) == 25_000)
    }

    /// The portal made a user of its own under an id the source then uses. The stream leaves
    /// that row as it is: the source's insert, update and removal of the id are quarantined
    /// with what to do, everything else arrives, and the row never joins the ledger (so no
    /// reconciliation pass changes it either).
    @Test func aTargetRowScimsyncDidNotCreateIsLeftAloneByTheStream() async throws {
        let fixture = try ExampleDirectories()
        let (pipeline, _, store, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let path = fixture.sqlitePath
        try SQLiteDatabase(path: path).execute("INSERT INTO portal_users (id, login, enabled) VALUES ('70', 'portal-own', 1)")
        let untouched = "SELECT COUNT(*) FROM portal_users WHERE id = '70' AND login = 'portal-own' AND enabled = 1"
        let source = try PipelineHarness.source(fixture)
        try source.execute("INSERT INTO sync_users (id, username) VALUES (70, 'hr-seventy')")
        try source.execute("INSERT INTO sync_users (id, username) VALUES (71, 'hr-seventy-one')")
        try #require(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '71'") == 1 },
            "the next user did not arrive")
        #expect(Self.count(path, untouched) == 1, "the portal's own row was written over")
        // The quarantine record follows the target's COMMIT of the batch that refused it (the
        // two users may share one): waited for, not assumed.
        try #require(
            try await eventually { try store.quarantined(pipeline: pipeline.name).contains { $0.kind == "User" && $0.id == "70" } },
            "user 70 was not quarantined")
        let entry = try #require(try store.quarantined(pipeline: pipeline.name).first { $0.kind == "User" && $0.id == "70" })
        #expect(entry.reason.contains("scimsync did not create"), "\(entry.reason)")
        #expect(entry.reason.contains("adopt: true"), "\(entry.reason)")

        try source.execute("UPDATE sync_users SET username = 'hr-seventy-b' WHERE id = 70")
        try source.execute("DELETE FROM sync_users WHERE id = 70")
        try source.execute("INSERT INTO sync_users (id, username) VALUES (72, 'hr-seventy-two')")
        try #require(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '72'") == 1 },
            "the last user did not arrive")
        #expect(Self.count(path, untouched) == 1, "the portal's own row was changed or deactivated")
        #expect(try store.owned(["70", "71", "72"], kind: .user, pipeline: pipeline.name) == ["71", "72"])
        #expect(try store.quarantined(pipeline: pipeline.name).contains { $0.kind == "User" && $0.id == "70" })
    }

    /// TRUNCATE TABLE reaches the binlog as a statement, not as rows: the pipeline compares the
    /// target with the source at once, and the memberships go.
    @Test func aTruncateIsRecoveredFromTheSourceAtOnce() async throws {
        let fixture = try ExampleDirectories()
        let (_, _, _, task) = try await Self.start(environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let path = fixture.sqlitePath
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_memberships") == 4)
        try PipelineHarness.source(fixture).execute("TRUNCATE TABLE sync_users_groups_rel")
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_memberships") == 0 },
            "the truncated memberships are still in the target")
    }

    /// A session of the source's as root (session binlog settings need it), in the fixture's database.
    static func rootSession(_ fixture: ExampleDirectories) throws -> MariaDBConnection {
        let root = try TestServerURL.fromEnvironment("SCIMSYNC_TEST_MARIADB_ROOT_URL")
        return try MariaDBConnection(
            host: root.host, port: root.port, user: root.user, password: root.password, database: fixture.hrDatabase)
    }

    /// A two-phase XA transaction: its rows come at XA PREPARE and apply at XA COMMIT; one
    /// rolled back after its PREPARE changes nothing.
    @Test func aTwoPhaseXATransactionAppliesAtItsCommit() async throws {
        let fixture = try ExampleDirectories()
        let (_, _, _, task) = try await Self.start(environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let source = try PipelineHarness.source(fixture)
        try source.execute("XA START 'rolled'")
        try source.execute("UPDATE sync_users SET first_name = 'Never' WHERE id = 2")
        try source.execute("XA END 'rolled'")
        try source.execute("XA PREPARE 'rolled'")
        try source.execute("XA ROLLBACK 'rolled'")
        try source.execute("XA START 'x1'")
        try source.execute("UPDATE sync_users SET first_name = 'Prepared' WHERE id = 1")
        try source.execute("XA END 'x1'")
        try source.execute("XA PREPARE 'x1'")
        // Another session's transaction commits between the PREPARE and the COMMIT.
        try PipelineHarness.source(fixture).execute("UPDATE sync_users SET first_name = 'Between' WHERE id = 3")
        try source.execute("XA COMMIT 'x1'")
        let path = fixture.sqlitePath
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '1' AND given_name = 'Prepared'") == 1 },
            "the XA transaction's change did not arrive")
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '3' AND given_name = 'Between'") == 1)
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE given_name = 'Never'") == 0)
    }

    /// Writes the binlog carries as statements (a session's binlog_format STATEMENT or MIXED)
    /// or with partial row images (binlog_row_image MINIMAL): the pipeline reads the source
    /// again at once, and the target ends as the source is.
    @Test func writesTheBinlogCarriesWithoutTheirRowsAreReadFromTheSource() async throws {
        let fixture = try ExampleDirectories()
        let source = try PipelineHarness.source(fixture)
        try source.execute("ALTER TABLE sync_users MODIFY job_title VARCHAR(255) DEFAULT 'Staff'")
        let (_, _, _, task) = try await Self.start(environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let root = try Self.rootSession(fixture)
        try root.execute("SET SESSION binlog_format = 'STATEMENT'")
        try root.execute("UPDATE sync_users SET first_name = 'Statement' WHERE id = 1")
        let path = fixture.sqlitePath
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '1' AND given_name = 'Statement'") == 1 },
            "the statement-logged change did not arrive")
        try root.execute("SET SESSION binlog_format = 'ROW'")
        try root.execute("SET SESSION binlog_row_image = 'MINIMAL'")
        try root.execute(
            "INSERT INTO sync_users (id, username, first_name, last_name, email, is_active) VALUES (70, 'minimal', 'Min', 'Image', 'm@example.com', 1)")
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '70' AND title = 'Staff'") == 1 },
            "the inserted user's default title did not arrive")
    }

    /// A renumbered user whose memberships follow by `ON UPDATE CASCADE`: the binlog carries
    /// the user's new id but not the relation rows InnoDB changed below it, so the pipeline
    /// compares with the source at once and the memberships move with the user.
    @Test func membershipsFollowACascadedIdChange() async throws {
        let fixture = try ExampleDirectories()
        let source = try PipelineHarness.source(fixture)
        try source.execute(
            "ALTER TABLE sync_users_groups_rel ADD CONSTRAINT rel_user FOREIGN KEY (user_id) REFERENCES sync_users (id) "
                + "ON DELETE CASCADE ON UPDATE CASCADE")
        let (_, _, _, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory, anyRemovals: true)
        defer { task.cancel() }
        try source.execute("UPDATE sync_users SET id = 50 WHERE id = 1")
        let path = fixture.sqlitePath
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_memberships WHERE user_id = '50' AND group_id = '4'") == 1 },
            "the renumbered user's membership was lost")
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_memberships WHERE user_id = '1'") == 0)
    }

    /// A mapped column renamed at the source: nothing is written with the column read as NULL;
    /// the pipeline is paused with a reason naming table and column, and resumes by itself
    /// once the column is back, with the rows written meanwhile.
    @Test func aRenamedMappedColumnPausesUntilItIsBack() async throws {
        let fixture = try ExampleDirectories()
        let (_, config, _, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let source = try PipelineHarness.source(fixture)
        try source.execute("ALTER TABLE sync_users RENAME COLUMN email TO mail_address")
        try source.execute("UPDATE sync_users SET mail_address = 'new@example.com', first_name = 'Barb' WHERE id = 1")
        try #require(
            try await eventually {
                (try PipelineStatus.all(config, askSources: nil).first?.state ?? "").hasPrefix("paused")
            }, "the pipeline did not pause")
        let state = try #require(try PipelineStatus.all(config, askSources: nil).first?.state)
        #expect(state.contains("sync_users") && state.contains("email"), "\(state)")
        let path = fixture.sqlitePath
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '1' AND mail = 'bjensen@example.com'") == 1)
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE mail IS NULL") == 0, "a NULL was written")

        try source.execute("ALTER TABLE sync_users RENAME COLUMN mail_address TO email")
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '1' AND mail = 'new@example.com' AND given_name = 'Barb'") == 1 },
            "the pipeline did not resume with the change made while paused")
    }

    /// A user whose login a row scimsync does not own already holds is refused by the target:
    /// that row is quarantined and reported, and every other change goes on; two users swapping
    /// logins through a temporary value in one transaction both arrive.
    @Test func aRefusedRowIsQuarantinedAndSwapsApply() async throws {
        let fixture = try ExampleDirectories()
        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        try target.execute("INSERT INTO portal_users (id, login) VALUES ('900', 'taken')")
        let (pipeline, config, store, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let source = try PipelineHarness.source(fixture)
        try source.execute("INSERT INTO sync_users (id, username) VALUES (70, 'taken')")
        try source.execute("INSERT INTO sync_users (id, username) VALUES (71, 'after')")
        try source.execute("START TRANSACTION")
        try source.execute("UPDATE sync_users SET username = 'swap-tmp' WHERE id = 1")
        try source.execute("UPDATE sync_users SET username = 'bjensen' WHERE id = 2")
        try source.execute("UPDATE sync_users SET username = 'jsmith' WHERE id = 1")
        try source.execute("COMMIT")
        let path = fixture.sqlitePath
        #expect(
            try await eventually {
                Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE (id = '1' AND login = 'jsmith') OR (id = '2' AND login = 'bjensen') OR id = '71'") == 3
            }, "the swap or the later user did not arrive")
        #expect(Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '70'") == 0)
        // The runner records a refusal in the offset store once the target committed the rest
        // of the batch: the rows above can be visible a moment before it.
        _ = try await eventually { try !store.quarantined(pipeline: pipeline.name).isEmpty }
        let quarantined = try store.quarantined(pipeline: pipeline.name)
        #expect(quarantined.map(\.id) == ["70"], "\(quarantined)")
        #expect(quarantined.first.map { !$0.reason.contains("taken") } == true, "the reason carries the value")
        let status = try #require(try PipelineStatus.all(config, askSources: nil).first)
        #expect(status.line.contains("1 row quarantined (User 70:"), "\(status.line)")
    }

    /// A membership naming a group the source does not have yet (no foreign keys at the
    /// source) is parked, not a blocked pipeline, and applied when the group arrives.
    @Test func aMembershipOfAMissingGroupWaitsForIt() async throws {
        let fixture = try ExampleDirectories()
        let (pipeline, _, store, task) = try await Self.start(
            environment: fixture.environment, stateDirectory: fixture.stateDirectory)
        defer { task.cancel() }
        let source = try PipelineHarness.source(fixture)
        try source.execute("INSERT INTO sync_users_groups_rel VALUES (1, 99)")
        try source.execute("INSERT INTO sync_users (id, username) VALUES (72, 'later')")
        let path = fixture.sqlitePath
        try #require(try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_users WHERE id = '72'") == 1 }, "the pipeline blocked")
        // Parking is recorded once the target committed the rest of the batch.
        #expect(try await eventually { try store.parkedCount(pipeline: pipeline.name) == 1 }, "the membership was not parked")
        try source.execute("INSERT INTO sync_groups (id, name) VALUES (99, 'Late group')")
        #expect(
            try await eventually { Self.count(path, "SELECT COUNT(*) FROM portal_memberships WHERE user_id = '1' AND group_id = '99'") == 1 },
            "the parked membership was not applied when its group arrived")
        #expect(try await eventually { try store.parkedCount(pipeline: pipeline.name) == 0 }, "the applied operation is still parked")
    }
}
