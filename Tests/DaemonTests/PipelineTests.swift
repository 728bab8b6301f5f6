import Config
import Daemon
import Directory
import Foundation
import OffsetStore
import SQLClients
import SourceKinds
import TestSupport
import Testing
import TargetKinds
import scimsync

/// A pipeline end to end on the example config/mariadb-to-sqlite.yaml: first load, live
/// changes streamed into the target, a restart that resumes from the stored position.
@Suite struct PipelineTests {
    func loadConfig(_ fixture: ExampleDirectories) throws -> ScimsyncConfig {
        let text = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "serverId: 4242", with: "serverId: \(UInt32.random(in: 10_000...900_000))")
        return try ConfigLoader.parse(text, file: "mariadb-to-sqlite.yaml", baseDirectory: fixture.stateDirectory, kinds: configKinds, environment: fixture.environment)
    }

    func start(_ pipeline: PipelineConfig, store: OffsetStore) -> Task<Void, any Error> {
        Task {
            try await Pipeline(
                configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry
            ).run()
        }
    }

    /// The target's rows as text, sorted, for comparing whole tables.
    func rows(_ path: String, _ sql: String) -> [String] {
        guard let database = try? SQLiteDatabase(path: path), let rows = try? database.query(sql) else { return ["unreadable"] }
        return rows.map { row in
            row.values.map { value in
                switch value {
                case .null: "NULL"
                case .int(let number): String(number)
                case .text(let text): text
                default: "\(value)"
                }
            }.joined(separator: "|")
        }
    }

    func eventually(_ what: String, timeout: Duration = TestBounds.serverEvent, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func firstLoadThenStreamThenResume() async throws {
        let fixture = try ExampleDirectories()
        let config = try loadConfig(fixture)
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let db = fixture.sqlitePath
        let users = "SELECT id, login, given_name, family_name, mail, title, employee_no, enabled FROM portal_users ORDER BY id"
        let groups = "SELECT id, title, parent FROM portal_groups ORDER BY id"
        let members = "SELECT user_id, group_id FROM portal_memberships ORDER BY user_id, group_id"

        var running = start(pipeline, store: store)
        try await eventually("the first load") { rows(db, members).count == 4 }
        #expect(rows(db, users) == [
            "1|bjensen|Barbara|Jensen|bjensen@example.com|Tour Guide|701984|1",
            "2|jsmith|John|Smith|jsmith@example.com|Engineer|701985|1",
            "3|mmüller|Maria|Müller|mmueller@example.com|Engineer|701986|1",
            "4|kleft|Kim|Left|kleft@example.com|NULL|701987|0",
        ])
        #expect(rows(db, groups) == ["1|Acme|NULL", "2|Engineering|1", "3|Platform|2", "4|Sales|1"])
        #expect(rows(db, members) == ["1|4", "2|2", "3|3", "4|3"])
        // The first load recorded what it created in the ownership ledger.
        #expect(try store.owned(["1", "2", "3", "4", "5"], kind: .user, pipeline: pipeline.name) == ["1", "2", "3", "4"])
        #expect(try store.owned(["1", "2", "3", "4"], kind: .group, pipeline: pipeline.name) == ["1", "2", "3", "4"])
        // The first load is a run of its own in the run log, with what it created by kind,
        // ended just after the position's commit (the rows above may be seen before).
        try await eventually("the first load's run record") {
            (try? store.runs(pipeline: pipeline.name, kind: "load"))?.first?.endedAt != nil
        }
        let load = try #require(try store.runs(pipeline: pipeline.name, kind: "load").first)
        #expect(load.endedAt != nil && load.error == nil)
        #expect(load.ops["create"] == 8, "\(load.ops)")

        let source = try MariaDBConnection(
            host: fixture.environment["HR_DB_HOST"]!, port: Int(fixture.environment["HR_DB_PORT"]!)!,
            user: fixture.environment["HR_DB_USER"]!, password: fixture.environment["HR_DB_PASSWORD"]!,
            database: fixture.hrDatabase)
        _ = try source.execute("UPDATE sync_users SET first_name = 'Babs', job_title = NULL WHERE id = 1")
        _ = try source.execute("INSERT INTO sync_users (id, username, first_name, email, is_active) VALUES (5, 'new', 'Nu', 'n@example.com', 1)")
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (5, 2)")
        _ = try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id = 2 AND group_id = 2")
        _ = try source.execute("UPDATE sync_groups SET parent_id = 2 WHERE id = 4")
        _ = try source.execute("DELETE FROM sync_users WHERE id = 3")
        try await eventually("the live changes") { rows(db, users).contains { $0.hasPrefix("3|") && $0.hasSuffix("|0") } }
        #expect(rows(db, users) == [
            "1|bjensen|Babs|Jensen|bjensen@example.com|NULL|701984|1",
            "2|jsmith|John|Smith|jsmith@example.com|Engineer|701985|1",
            "3|mmüller|Maria|Müller|mmueller@example.com|Engineer|701986|0",
            "4|kleft|Kim|Left|kleft@example.com|NULL|701987|0",
            "5|new|Nu|NULL|n@example.com|NULL|NULL|1",
        ])
        #expect(rows(db, groups) == ["1|Acme|NULL", "2|Engineering|1", "3|Platform|2", "4|Sales|2"])
        #expect(rows(db, members) == ["1|4", "3|3", "4|3", "5|2"])
        // The ledger entry is committed with the batch's position, right after the target's commit.
        try await eventually("user 5 in the ledger") { (try? store.owned(["5"], kind: .user, pipeline: pipeline.name)) == ["5"] }
        // The journal names what the stream did to user 1, from which binlog position.
        let journal = try store.journal(pipeline: pipeline.name, kind: .user, id: "1")
        let patch = try #require(journal.first { $0.origin == "stream" && $0.record.action == "patch" }, "\(journal)")
        #expect(Set(patch.record.attributes) == ["name.givenName", "title"], "\(patch)")
        #expect(patch.record.outcome == .applied)
        #expect(patch.position?.hasPrefix("binlog.") == true, "\(patch)")
        // The journal is written with the offset, just after the target's commit that the
        // row check above saw: wait for it.
        try await eventually("user 3's deactivation in the journal") {
            (try? store.journal(pipeline: pipeline.name, kind: .user, id: "3").first?.record.action) == "deactivate"
        }

        running.cancel()
        #expect(try await running.value == ())
        let stored = try #require(try store.position(pipeline: pipeline.name))
        guard case .binlog(let file, _, _) = stored else {
            Issue.record("expected a binlog position, got \(stored)")
            return
        }
        #expect(file.hasPrefix("binlog."))
        let runs = try store.runs(pipeline: pipeline.name, kind: "run")
        #expect(runs.first?.error == nil)
        #expect(runs.first?.ops["load"] == 1)

        // A change while stopped arrives after the restart, which resumes without reloading.
        _ = try source.execute("UPDATE sync_users SET last_name = 'Jensen-Smith' WHERE id = 1")
        running = start(pipeline, store: store)
        try await eventually("the change made while stopped") { rows(db, users).first?.contains("Jensen-Smith") == true }
        running.cancel()
        _ = try await running.value
        let resumed = try #require(try store.runs(pipeline: pipeline.name, kind: "run").first)
        #expect(resumed.ops["load"] == nil)
        #expect(resumed.ops["patch"] == 1)
    }
}
