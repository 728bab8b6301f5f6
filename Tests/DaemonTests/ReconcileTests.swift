import Config
import Daemon
import Directory
import Foundation
import Inspection
import OffsetStore
import Reconcile
import SQLClients
import SourceKinds
import TargetKinds
import TestSupport
import Testing
import scimsync

/// Reconciliation on every SQL target kind: the first pass loads an empty target; then every kind
/// of drift is made by hand on the target (and the source) and one pass finds and repairs
/// it: missing row, extra owned row (deactivated under `onDelete: deactivate`), extra unowned
/// row (left alone), changed attribute, missing and extra membership, wrong parent, a
/// deactivated user who returns; a dry run changes nothing; the removal limit and the empty
/// source refuse, hold the pipeline, and `force` lets the pass through.
@Suite struct ReconcileTests {
    /// A target of the example layout with raw access to its tables.
    struct TargetUnderTest {
        var config: ScimsyncConfig
        var rows: () throws -> DirectoryRows
        var execute: (String) throws -> Void
        /// `portal_users` as SQL names it here (schema- or database-qualified).
        var prefix: String
    }

    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres, mariaDB, sqlServer
        var testDescription: String { rawValue }
    }

    func target(_ kind: Kind, _ fixture: ExampleDirectories) throws -> TargetUnderTest {
        switch kind {
        case .sqlite:
            let config = try PipelineHarness.sqliteConfig(fixture)
            let path = fixture.sqlitePath
            return TargetUnderTest(
                config: config,
                rows: { let database = try SQLiteDatabase(path: path); return try DirectoryRows.target { try database.query($0) } },
                execute: { try SQLiteDatabase(path: path).execute($0) }, prefix: "")
        case .postgres:
            let (config, schema) = try PipelineHarness.postgresConfig(fixture)
            let connection = try TestServers.postgres()
            return TargetUnderTest(
                config: config, rows: { try DirectoryRows.target(tablePrefix: "\(schema).") { try connection.query($0) } },
                execute: { try connection.execute($0) }, prefix: "\(schema).")
        case .mariaDB:
            let (config, database) = try PipelineHarness.mariaDBConfig(fixture)
            let connection = try TestServers.mariaDB()
            return TargetUnderTest(
                config: config,
                rows: { try DirectoryRows.target(tablePrefix: "`\(database)`.") { try connection.query($0) } },
                execute: { try connection.execute($0) }, prefix: "`\(database)`.")
        case .sqlServer:
            // The TDS test double (scripts/sqlserver-peer), a database of the test's own.
            let (config, server) = try SQLServerTargetPipelineTests.config(fixture)
            let connection = try server.connect()
            return TargetUnderTest(
                config: config,
                rows: { try DirectoryRows.target(tablePrefix: "[dbo].") { try connection.query($0) } },
                execute: { _ = try connection.execute(SQLServerTargetPipelineTests.transactSQL($0)) }, prefix: "[dbo].")
        }
    }

    /// More users than the seed's four, in one or two groups each, some names non-ASCII.
    func grow(_ source: MariaDBConnection) throws {
        for id in 5...40 {
            try source.query(
                "INSERT INTO sync_users (id, username, first_name, last_name, email, is_active) VALUES (?, ?, ?, ?, ?, 1)",
                [.int(Int64(id)), .text("user\(id)"), .text(id % 3 == 0 ? "Zoë" : "Ann"), .text("Nº \(id)"),
                 id % 5 == 0 ? .null : .text("user\(id)@example.com")])
            try source.query("INSERT INTO sync_users_groups_rel VALUES (?, ?)", [.int(Int64(id)), .int(Int64(id % 4 + 1))])
            if id % 3 == 0 {
                try source.query("INSERT INTO sync_users_groups_rel VALUES (?, ?)", [.int(Int64(id)), .int(Int64((id + 1) % 4 + 1))])
            }
        }
    }

    func pass(
        _ pipeline: PipelineConfig, _ store: OffsetStore, dryRun: Bool = false, force: Bool = false
    ) async throws -> ReconcileOutcome {
        try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry,
            options: ReconcileOptions(dryRun: dryRun, force: force, chunkSize: 7, detailLimit: 100))
    }

    /// The source's rows with one changed field (for expected target rows).
    func replacing(_ row: String, field: Int, with value: String) -> String {
        var fields = row.components(separatedBy: "|")
        fields[field] = value
        return fields.joined(separator: "|")
    }

    @Test(arguments: Kind.allCases) func everyDriftKindIsFoundAndRepaired(kind: Kind) async throws {
        let fixture = try ExampleDirectories()
        let target = try target(kind, fixture)
        let pipeline = try #require(target.config.pipelines.first)
        let store = try OffsetStore(path: target.config.offsets.path)
        let source = try PipelineHarness.source(fixture)
        try grow(source)
        let p = target.prefix

        // The first pass loads the empty target (chunks of 7 rows: many keyset chunks).
        guard case .repaired(let load) = try await pass(pipeline, store) else { Issue.record("the first pass did not load"); return }
        #expect(load.repairs[.createUser] == load.sourceUsers)
        #expect(try target.rows() == DirectoryRows.source(source, deactivated: []))
        guard case .clean = try await pass(pipeline, store) else { Issue.record("a second pass found drift"); return }

        let users = try source.query("SELECT id FROM sync_users ORDER BY id").map { DirectoryRows.text($0) }
        try #require(users.count >= 8)
        let relation = try source.query("SELECT user_id, group_id FROM sync_users_groups_rel ORDER BY user_id, group_id")
            .map { (DirectoryRows.text($0.values[0]), DirectoryRows.text($0.values[1])) }
        let child = try #require(
            try source.query("SELECT id FROM sync_groups WHERE parent_id IS NOT NULL ORDER BY id").first
        ).values[0]
        let groups = try source.query("SELECT id FROM sync_groups ORDER BY id").map { DirectoryRows.text($0) }

        // Drift on the target.
        let missing = users[0]
        let missingMemberships = relation.filter { $0.0 == missing }.count
        try target.execute("DELETE FROM \(p)portal_memberships WHERE user_id = '\(missing)'")
        try target.execute("DELETE FROM \(p)portal_users WHERE id = '\(missing)'")
        try target.execute("UPDATE \(p)portal_users SET given_name = 'Drifted' WHERE id = '\(users[1])'")
        try target.execute("INSERT INTO \(p)portal_users (id, login, enabled) VALUES ('990001', 'stranger', TRUE)")
        try target.execute("UPDATE \(p)portal_users SET enabled = FALSE WHERE id = '\(users[5])'")
        let dropped = try #require(relation.first { $0.0 != missing })
        try target.execute(
            "DELETE FROM \(p)portal_memberships WHERE user_id = '\(dropped.0)' AND group_id = '\(dropped.1)'")
        let extraGroup = try #require(groups.first { g in !relation.contains { $0.0 == users[6] && $0.1 == g } })
        try target.execute("INSERT INTO \(p)portal_memberships (user_id, group_id) VALUES ('\(users[6])', '\(extraGroup)')")
        try target.execute("UPDATE \(p)portal_groups SET parent = NULL WHERE id = '\(DirectoryRows.text(child))'")
        // A user who leaves the source: the target keeps an owned row, to be deactivated.
        let leaver = users[2]
        let leaverRow = try #require(try target.rows().users.first { $0.hasPrefix(leaver + "|") })
        let leaverSource = try source.query("SELECT * FROM sync_users WHERE id = \(leaver)")
        try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id = \(leaver)")
        try source.execute("DELETE FROM sync_users WHERE id = \(leaver)")

        // A dry run reports every difference and changes nothing.
        let before = try target.rows()
        guard case .dryRun(let plan) = try await pass(pipeline, store, dryRun: true) else {
            Issue.record("the dry run found no drift")
            return
        }
        #expect(try target.rows() == before)
        #expect(plan.repairs[.createUser] == 1)
        #expect(plan.repairs[.patchUser] == 1)
        #expect(plan.repairs[.deactivateUser] == 1)
        #expect(plan.repairs[.reactivateUser] == 1)
        #expect(plan.repairs[.moveParent] == 1)
        #expect(plan.repairs[.addMember] == missingMemberships + 1)
        // The leaver's memberships left the source with them; the extra one is the hand-made.
        let leaverMemberships = relation.filter { $0.0 == leaver }.count
        #expect(plan.repairs[.removeMember] == 1 + leaverMemberships)
        #expect(plan.unmanaged["User"] == 1)
        #expect(plan.repairs[.deleteUser] == nil)
        #expect(plan.differences.contains {
            $0.id == users[1] && $0.attribute == "name.givenName" && $0.target == "Drifted"
        })
        #expect(plan.differences.contains { $0.id == "990001" && !$0.managed })

        // The pass repairs it all, leaves the stranger alone, keeps the leaver deactivated.
        guard case .repaired = try await pass(pipeline, store) else { Issue.record("the pass did not repair"); return }
        let stranger = "990001|stranger|NULL|NULL|NULL|NULL|NULL|1"
        var expected = try DirectoryRows.source(source, deactivated: [replacing(leaverRow, field: 7, with: "0"), stranger])
        var actual = try target.rows()
        #expect(actual == expected, "\(actual.difference(from: expected))")
        guard case .clean(let after) = try await pass(pipeline, store) else { Issue.record("drift after the repair"); return }
        #expect(after.unmanaged["User"] == 1, "the stranger is reported, not touched")

        // The leaver comes back: re-activated.
        let back = try #require(leaverSource.first)
        try source.query(
            "INSERT INTO sync_users (\(back.columns.joined(separator: ", "))) VALUES (\(back.columns.map { _ in "?" }.joined(separator: ", ")))",
            back.values)
        guard case .repaired(let returned) = try await pass(pipeline, store) else { Issue.record("the return was missed"); return }
        #expect(returned.repairs[.reactivateUser] == 1)
        expected = try DirectoryRows.source(source, deactivated: [stranger])
        actual = try target.rows()
        #expect(actual == expected, "\(actual.difference(from: expected))")
    }

    @Test(arguments: Kind.allCases) func removalLimitsRefuseAndHoldUntilForced(kind: Kind) async throws {
        let fixture = try ExampleDirectories()
        let target = try target(kind, fixture)
        let pipeline = try #require(target.config.pipelines.first)
        let store = try OffsetStore(path: target.config.offsets.path)
        let source = try PipelineHarness.source(fixture)
        try grow(source)
        _ = try await pass(pipeline, store)
        let loaded = try target.rows()

        // Half the users leave: far beyond 10%.
        try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id % 2 = 0")
        try source.execute("DELETE FROM sync_users WHERE id % 2 = 0")
        guard case .refused(let plan, let reason) = try await pass(pipeline, store) else {
            Issue.record("a pass removing half the users went through")
            return
        }
        #expect(plan.removals > 0)
        #expect(reason.contains("reconcile.maxRemovals"))
        #expect(try target.rows() == loaded, "a refused pass applied something")
        #expect(try store.hold(pipeline: pipeline.name)?.reason == reason)
        let status = try #require(try PipelineStatus.all(target.config, askSources: nil).first)
        #expect(status.state.hasPrefix("paused"))
        #expect(try store.runs(pipeline: pipeline.name, kind: "reconcile", limit: 1).first?.error?.contains("refused") == true)

        // Approval lets the next pass through once, and lifts the hold.
        try store.approve(pipeline: pipeline.name)
        guard case .repaired(let done) = try await pass(pipeline, store) else { Issue.record("the approved pass was refused"); return }
        #expect(done.repairs[.deactivateUser] == plan.removals)
        #expect(try store.hold(pipeline: pipeline.name) == nil)

        // An empty source is refused even under the limit's count, then forced.
        try source.execute("DELETE FROM sync_users_groups_rel")
        try source.execute("DELETE FROM sync_users")
        try source.execute("UPDATE sync_groups SET parent_id = NULL")
        try source.execute("DELETE FROM sync_groups")
        guard case .refused(_, let empty) = try await pass(pipeline, store) else { Issue.record("an empty source went through"); return }
        #expect(empty.contains("source reads as empty"))
        guard case .repaired = try await pass(pipeline, store, force: true) else { Issue.record("--force was refused"); return }
        let rows = try target.rows()
        #expect(rows.groups.isEmpty)
        #expect(rows.memberships.isEmpty)
        #expect(rows.users.allSatisfy { $0.hasSuffix("|0") }, "every user deactivated, none deleted")
    }

    /// Repairs go in multi-row statements, a chunk at a time: a chunk holding a row the target
    /// refuses is applied row by row, that row alone is quarantined and the rest of the chunk
    /// is repaired; values with tabs, newlines, backslashes, quotes, non-ASCII text, the empty
    /// string and NULL arrive as they are, and the next pass finds them equal.
    @Test(arguments: [Kind.sqlite, .postgres, .mariaDB]) func aRefusedRowInABatchOfRepairsIsQuarantinedAloneAndHostileValuesArrive(
        kind: Kind
    ) async throws {
        let fixture = try ExampleDirectories()
        let target = try target(kind, fixture)
        let pipeline = try #require(target.config.pipelines.first)
        let store = try OffsetStore(path: target.config.offsets.path)
        let source = try PipelineHarness.source(fixture)
        try grow(source)
        let p = target.prefix
        guard case .repaired = try await pass(pipeline, store) else { Issue.record("the first pass did not load"); return }

        // The target refuses a given name of "Refused".
        switch kind {
        case .sqlite:
            for event in ["INSERT", "UPDATE"] {
                try target.execute("""
                    CREATE TRIGGER refuse_\(event.lowercased()) BEFORE \(event) ON portal_users
                    WHEN NEW.given_name = 'Refused' BEGIN SELECT RAISE(ABORT, 'refused'); END
                    """)
            }
        case .postgres, .mariaDB, .sqlServer:
            try target.execute(
                "ALTER TABLE \(p)portal_users ADD CONSTRAINT refuse_marked CHECK (given_name IS NULL OR given_name <> 'Refused')")
        }
        // Hostile values in the source (users 5 to 11), the refused one in the middle of a chunk of
        // patches (users 12 to 25 drifted in the target), and users 26 to 30 missing in the target.
        let hostile: [SQLValue] = [
            .text("tab\there"), .text("new\nline\r\n"), .text("back\\slash \\N \\t"), .text("quote ' \" ` ;--"),
            .text("Zoë 日本語 🙂 \u{200B}"), .text(""), .null,
        ]
        for (offset, value) in hostile.enumerated() {
            try source.query("UPDATE sync_users SET first_name = ?, last_name = ? WHERE id = ?", [value, value, .int(Int64(5 + offset))])
        }
        try source.execute("UPDATE sync_users SET first_name = 'Refused' WHERE id = 18")
        try target.execute("UPDATE \(p)portal_users SET given_name = 'Drifted' WHERE id IN (\((12...25).map { "'\($0)'" }.joined(separator: ", ")))")
        try target.execute("DELETE FROM \(p)portal_memberships WHERE user_id IN ('26', '27', '28', '29', '30')")
        try target.execute("DELETE FROM \(p)portal_users WHERE id IN ('26', '27', '28', '29', '30')")

        guard case .repaired(let report) = try await pass(pipeline, store) else { Issue.record("the pass did not repair"); return }
        #expect(report.repairs[.createUser] == 5)
        let quarantined = try store.quarantined(pipeline: pipeline.name)
        #expect(quarantined.map { "\($0.kind) \($0.id)" } == ["User 18"], "\(quarantined)")
        // Everything else is the source's; user 18 keeps the target's drifted name.
        let refusedRow = try #require(try target.rows().users.first { $0.hasPrefix("18|") })
        #expect(refusedRow.split(separator: "|", omittingEmptySubsequences: false)[2] == "Drifted")
        var expected = try DirectoryRows.source(source, deactivated: [])
        expected.users = expected.users.map { $0.hasPrefix("18|") ? refusedRow : $0 }.sorted()
        let actual = try target.rows()
        #expect(actual == expected, "\(actual.difference(from: expected))")

        // The hostile values compare equal: the next pass has only the refused row to repair.
        let again = try await pass(pipeline, store, dryRun: true)
        #expect(again.report.totalRepairs == 1 && again.report.repairs[.patchUser] == 1, "\(again.report.repairs)")
    }

    /// Rows scimsync did not create are reported and left alone; with `adopt: true` the rows
    /// matched by id are repaired and join the ledger.
    @Test func unownedRowsAreLeftAloneUnlessAdopted() async throws {
        let fixture = try ExampleDirectories()
        let target = try target(.sqlite, fixture)
        var pipeline = try #require(target.config.pipelines.first)
        let store = try OffsetStore(path: target.config.offsets.path)
        // The portal already has Barbara, under another name, and a user of its own.
        try target.execute("INSERT INTO portal_users (id, login, given_name, enabled) VALUES ('1', 'bjensen', 'Babs', 1)")
        try target.execute("INSERT INTO portal_users (id, login, given_name, enabled) VALUES ('77', 'local', 'Lo', 1)")

        guard case .repaired(let first) = try await pass(pipeline, store) else { Issue.record("nothing loaded"); return }
        #expect(first.unmanaged["User"] == 2)
        #expect(first.repairs[.createUser] == 3)
        #expect(try target.rows().users.contains { $0.hasPrefix("1|bjensen|Babs|") }, "left alone")
        #expect(try store.owned(["1", "77"], kind: .user, pipeline: pipeline.name).isEmpty)

        pipeline.adopt = true
        guard case .repaired(let adopted) = try await pass(pipeline, store) else { Issue.record("nothing adopted"); return }
        #expect(adopted.adopted >= 1)
        #expect(try target.rows().users.contains { $0.hasPrefix("1|bjensen|Barbara|") }, "repaired once adopted")
        #expect(try store.owned(["1"], kind: .user, pipeline: pipeline.name) == ["1"])
        // The portal's own user matches no source user: never adopted, left as it is.
        #expect(adopted.unmanaged["User"] == 1)
        #expect(try target.rows().users.contains { $0.hasPrefix("77|local|Lo|") && $0.hasSuffix("|1") })
        #expect(try store.owned(["77"], kind: .user, pipeline: pipeline.name).isEmpty)
    }
}
