import Foundation
import OffsetStore
import SCIM
import SQLClients
import Testing

/// `scimsync explain`, end to end on the MariaDB → SQLite example: source and target now,
/// ownership, agreement (exit 0 when they agree, 2 when not) and the journal that the load
/// and a reconciliation wrote; by id and by userName, in text and JSON.
@Suite struct ExplainCommandTests {
    @Test func explainsAUserFromItsLoadThroughDriftAndRepair() async throws {
        let fixture = try ExampleDirectories()
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let env = fixture.environment
        let commands = ReconcileCommandTests()
        // Someone else's group in the target: not empty, so the first pass compares and applies
        // operation by operation, journalling each (into an empty target `reconcile` loads in
        // bulk, which records nothing per row, as a first load does).
        try SQLiteDatabase(path: fixture.sqlitePath).execute("INSERT INTO portal_groups (id, title) VALUES ('990001', 'Elsewhere')")

        let load = try await commands.scimsync(["reconcile", "--config", config], environment: env)
        #expect(load.status == 0, "\(load.output)")

        let agreed = try await commands.scimsync(["explain", "--config", config, "--user", "1", "--format", "json"], environment: env)
        #expect(agreed.status == 0, "\(agreed.output)")
        let report = try #require(try SCIMValue(json: Array(agreed.output.utf8)).objectValue, "\(agreed.output)")
        #expect(report["pipeline"] == .string("hr-to-portal"))
        #expect(report["createdByScimsync"] == .bool(true))
        #expect(report["agree"] == .bool(true))
        #expect(report["source"]?.objectValue?["userName"] == .string("bjensen"))
        #expect(report["target"]?.objectValue?["userName"] == .string("bjensen"))
        let journal = try #require(report["journal"]?.arrayValue)
        // The user's creation, and the membership additions that named it.
        let created = try #require(journal.compactMap(\.objectValue).first { $0["action"] == .string("create") })
        #expect(journal.contains { $0.objectValue?["action"] == .string("addMember") })
        #expect(created["action"] == .string("create"))
        #expect(created["origin"] == .string("reconcile"))
        #expect(created["outcome"] == .string("applied"))
        // Attribute names only: the journal keeps no values by default.
        #expect(created["values"] == nil)
        #expect(!agreed.output.contains("bjensen@example.com\",\n      \"values"))

        // Drift in the target: explain says what differs, and exits 2.
        try SQLiteDatabase(path: fixture.sqlitePath).execute("UPDATE portal_users SET family_name = 'Jensen-X' WHERE id = '1'")
        let drifted = try await commands.scimsync(["explain", "--config", config, "--user-name", "bjensen"], environment: env)
        #expect(drifted.status == 2, "\(drifted.output)")
        #expect(drifted.output.contains("User 1 in pipeline hr-to-portal"), "\(drifted.output)")
        #expect(drifted.output.contains("agree now: no; differing: name"), "\(drifted.output)")
        #expect(drifted.output.contains("created by scimsync"), "\(drifted.output)")

        // A reconciliation repairs it, and the journal shows the repair above the create.
        let repair = try await commands.scimsync(["reconcile", "--config", config], environment: env)
        #expect(repair.status == 0, "\(repair.output)")
        let repaired = try await commands.scimsync(["explain", "--config", config, "--user", "1"], environment: env)
        #expect(repaired.status == 0, "\(repaired.output)")
        #expect(repaired.output.contains("agree now: yes"), "\(repaired.output)")
        let lines = repaired.output.split(separator: "\n").filter { $0.contains("  reconcile") }
        #expect(lines.count == 3, "\(repaired.output)")  // the repair, the membership, the create
        #expect(lines.first?.contains("patch [name.familyName]") == true, "\(repaired.output)")

        // Errors name what is wrong.
        let both = try await commands.scimsync(["explain", "--config", config, "--user", "1", "--group", "2"], environment: env)
        #expect(both.status != 0 && both.output.contains("exactly one of"), "\(both.output)")
        let nobody = try await commands.scimsync(["explain", "--config", config, "--user-name", "nobody"], environment: env)
        #expect(nobody.status == 1 && nobody.output.contains("no user with userName \"nobody\""), "\(nobody.output)")
    }
}
