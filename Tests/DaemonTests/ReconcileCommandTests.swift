import Foundation
import OffsetStore
import SCIM
import SQLClients
import Testing
import TestSupport

/// `scimsync reconcile` and `scimsync approve`, end to end: output, JSON and exit status
/// (0 no drift or repaired, 1 drift in a dry run or refused, 2 error; unmanaged rows alone are
/// no drift, with `--dry-run` too).
@Suite struct ReconcileCommandTests {
    func scimsync(_ arguments: [String], environment: [String: String]) async throws -> CheckCommandTests.Outcome {
        let binary = CheckCommandTests.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no scimsync binary at \(binary.path)")
        // A thread of its own waits for the process (TestSupport.offPool).
        return try await offPool {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return CheckCommandTests.Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }

    @Test func dryRunRepairRefusalApprovalAndErrors() async throws {
        let fixture = try ExampleDirectories()
        // The example with a count for the limit: a share always lets 5 removals through, more
        // than this directory has.
        let config = fixture.stateDirectory + "/mariadb-to-sqlite.yaml"
        try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-sqlite.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 1")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let env = fixture.environment

        // Before anything ran: status reads, and creates no store.
        let never = try await scimsync(["status", "--config", config], environment: env)
        #expect(never.status == 0, "\(never.output)")
        #expect(never.output.contains("hr-to-portal: never run (no offset store at"), "\(never.output)")
        #expect(!FileManager.default.fileExists(atPath: fixture.stateDirectory + "/offsets.db"), "status created a store")

        let dry = try await scimsync(["reconcile", "--config", config, "--dry-run"], environment: env)
        #expect(dry.status == 1, "\(dry.output)")
        #expect(dry.lines.first?.hasPrefix("hr-to-portal: dry run,") == true, "\(dry.output)")
        #expect(dry.output.contains("createUser 4"), "\(dry.output)")
        #expect(dry.output.contains("User 1: missing in target"), "\(dry.output)")
        #expect(try SQLiteDatabase(path: fixture.sqlitePath).query("SELECT id FROM portal_users").isEmpty)

        let load = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(load.status == 0, "\(load.output)")
        #expect(load.lines.first?.hasPrefix("hr-to-portal: repaired") == true, "\(load.output)")

        let clean = try await scimsync(["reconcile", "--config", config, "--format", "json"], environment: env)
        #expect(clean.status == 0, "\(clean.output)")
        let report = try #require(try SCIMValue(json: clean.output).arrayValue?.first?.objectValue)
        #expect(report["outcome"] == .string("clean"))
        #expect(report["source"]?.objectValue?["users"] == .integer(4))
        #expect(report["target"]?.objectValue?["users"] == .integer(4))

        // A changed name: the dry run shows source and target values, in JSON too.
        try SQLiteDatabase(path: fixture.sqlitePath).execute("UPDATE portal_users SET family_name = 'Jensen-X' WHERE id = '1'")
        let drift = try await scimsync(["reconcile", "--config", config, "--dry-run", "--format", "json"], environment: env)
        #expect(drift.status == 1, "\(drift.output)")
        let detail = try #require(
            try SCIMValue(json: drift.output).arrayValue?.first?.objectValue?["differences"]?.arrayValue?.first?.objectValue)
        #expect(detail["attribute"] == .string("name.familyName"))
        #expect(detail["source"] == .string("Jensen"))
        #expect(detail["target"] == .string("Jensen-X"))

        // Half the users leave the source, more than 1: refused, held, approved once.
        let source = try PipelineHarness.source(fixture)
        try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id IN (1, 2)")
        try source.execute("DELETE FROM sync_users WHERE id IN (1, 2)")
        let refused = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("refused"), "\(refused.output)")
        let status = try await scimsync(["status", "--config", config], environment: env)
        #expect(status.output.contains("paused"), "\(status.output)")
        let approve = try await scimsync(["approve", "--config", config, "--pipeline", "hr-to-portal"], environment: env)
        #expect(approve.status == 0, "\(approve.output)")
        let approved = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(approved.status == 0, "\(approved.output)")
        #expect(approved.output.contains("deactivateUser 2"), "\(approved.output)")

        // An approval while nothing is held waits for the next mass removal, in plain sight.
        for _ in 0..<2 {
            let early = try await scimsync(["approve", "--config", config, "--pipeline", "hr-to-portal"], environment: env)
            #expect(early.output.contains("approved in advance (nothing is held now)"), "\(early.output)")
        }
        let waiting = try await scimsync(["status", "--config", config], environment: env)
        #expect(waiting.output.contains("approved in advance: the next pass or batch beyond reconcile.maxRemovals"), "\(waiting.output)")

        // Renamed in the configuration: status says what the old name leaves behind.
        let renamed = fixture.stateDirectory + "/renamed.yaml"
        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "name: hr-to-portal", with: "name: hr-portal")
            .write(toFile: renamed, atomically: true, encoding: .utf8)
        let forgotten = try await scimsync(["status", "--config", renamed], environment: env)
        #expect(forgotten.output.contains("hr-portal: never run"), "\(forgotten.output)")
        #expect(
            forgotten.output.contains("holds pipeline \"hr-to-portal\", which the configuration does not name (8 target rows it created)"),
            "\(forgotten.output)")

        // Errors: an unknown pipeline, an unreachable source.
        let unknown = try await scimsync(["reconcile", "--config", config, "--pipeline", "nope"], environment: env)
        #expect(unknown.status == 2)
        #expect(unknown.output.contains("no pipeline named nope (there are: hr-to-portal)"), "\(unknown.output)")
        var wrong = env
        wrong["HR_DB_PASSWORD"] = "wrong"
        let failed = try await scimsync(["reconcile", "--config", config], environment: wrong)
        #expect(failed.status == 2, "\(failed.output)")
        #expect(!failed.output.contains("wrong"), "the password stays out of the output")
    }

    /// Into an empty target the command takes the first load's path and reports what a pass
    /// would: creates and member additions by kind, the first differences, the source's
    /// sizes. A membership whose user the source lacks makes the SQLite target's one-transaction
    /// load of the memberships give up and read them again (counted once), and is parked; a
    /// dry run afterwards finds that membership and nothing else.
    @Test func anEmptyTargetIsLoadedAndReportedAsAPassWould() async throws {
        let fixture = try ExampleDirectories()
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let env = fixture.environment
        try PipelineHarness.source(fixture).execute("INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES (99, 4)")

        let load = try await scimsync(["reconcile", "--config", config, "--format", "json"], environment: env)
        #expect(load.status == 0, "\(load.output)")
        // On standard error, before the report: the load's one warning.
        #expect(load.output.contains("the memberships were loaded batch by batch with the relation table's keys in place"))
        let json = load.output.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("[") }
            .joined(separator: "\n")
        let report = try #require(try SCIMValue(json: json).arrayValue?.first?.objectValue, "\(load.output)")
        #expect(report["outcome"] == .string("repaired"))
        let repairs = report["repairs"]?.objectValue
        #expect(repairs?["createGroup"] == .integer(4) && repairs?["createUser"] == .integer(4), "\(load.output)")
        #expect(repairs?["addMember"] == .integer(4), "read twice, counted once: \(load.output)")
        #expect(report["waiting"] == .integer(1), "user 99's membership waits for the user: \(load.output)")
        #expect(repairs?.count == 3, "parents are part of creating the groups: \(load.output)")
        #expect(report["source"]?.objectValue?["users"] == .integer(4) && report["source"]?.objectValue?["groups"] == .integer(4))
        #expect(report["differenceCount"] == .integer(13))
        let first = report["differences"]?.arrayValue?.first?.objectValue
        #expect(first?["resource"] == .string("Group") && first?["change"] == .string("missing in target"), "\(load.output)")

        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        #expect(try target.query("SELECT user_id FROM portal_memberships").count == 4)
        #expect(try target.query("SELECT id FROM portal_groups WHERE parent IS NOT NULL").count == 3)

        let dry = try await scimsync(["reconcile", "--config", config, "--dry-run", "--format", "json"], environment: env)
        #expect(dry.status == 1, "\(dry.output)")
        let drift = try #require(try SCIMValue(json: dry.output).arrayValue?.first?.objectValue, "\(dry.output)")
        #expect(drift["repairs"] == .object(SCIMObject([("addMember", .integer(1))])), "\(dry.output)")
        #expect(drift["unmanaged"] == .object(SCIMObject()), "the load recorded what it created: \(dry.output)")
    }

    /// A target row scimsync did not create and may not touch: a dry run and a real pass both
    /// report it as left alone, with the same count, and neither calls it drift (exit 0), so a
    /// dry run can come back clean.
    @Test func unmanagedRowsAreReportedButAreNoDrift() async throws {
        let fixture = try ExampleDirectories()
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let env = fixture.environment
        let load = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(load.status == 0, "\(load.output)")
        try SQLiteDatabase(path: fixture.sqlitePath).execute(
            "INSERT INTO portal_users (id, login, enabled) VALUES ('990001', 'stranger', 1)")

        let left = "1 unmanaged row left alone (User: 1)"
        let dry = try await scimsync(["reconcile", "--config", config, "--dry-run"], environment: env)
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.lines.first?.hasPrefix("hr-to-portal: no drift") == true, "\(dry.output)")
        #expect(dry.output.contains(left), "\(dry.output)")
        #expect(dry.output.contains("adopt: true"), "\(dry.output)")
        #expect(dry.output.contains("User 990001: not in source (unmanaged)"), "\(dry.output)")

        let json = try await scimsync(["reconcile", "--config", config, "--dry-run", "--format", "json"], environment: env)
        #expect(json.status == 0, "\(json.output)")
        let report = try #require(try SCIMValue(json: json.output).arrayValue?.first?.objectValue)
        #expect(report["outcome"] == .string("clean"))
        #expect(report["unmanaged"]?.objectValue?["User"] == .integer(1))

        let real = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(real.status == 0, "\(real.output)")
        #expect(real.lines == dry.lines, "a dry run and a real pass tell the same story")
        let stranger = try SQLiteDatabase(path: fixture.sqlitePath).query("SELECT login FROM portal_users WHERE id = '990001'")
        #expect(stranger.count == 1, "the unmanaged row is left alone")
    }

    /// A repaired pass of three differences: what it lists and what it says it leaves out add
    /// up to what it found, whatever `--details` shows; nothing is "more" after an empty list.
    @Test func aRepairedPassCountsOnlyTheDifferencesItDoesNotList() async throws {
        let fixture = try ExampleDirectories()
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let env = fixture.environment
        let load = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(load.status == 0, "\(load.output)")
        func drift() throws {
            try SQLiteDatabase(path: fixture.sqlitePath).execute("UPDATE portal_users SET family_name = 'X' WHERE id = '1'")
            try SQLiteDatabase(path: fixture.sqlitePath).execute("UPDATE portal_users SET given_name = 'Y' WHERE id = '2'")
            try SQLiteDatabase(path: fixture.sqlitePath).execute("UPDATE portal_users SET title = 'Z' WHERE id = '3'")
        }
        func listed(_ outcome: CheckCommandTests.Outcome) -> Int {
            outcome.lines.filter { $0.hasPrefix("  User ") }.count
        }

        try drift()
        let none = try await scimsync(["reconcile", "--config", config, "--details", "0"], environment: env)
        #expect(none.status == 0, "\(none.output)")
        #expect(none.lines.first?.hasPrefix("hr-to-portal: repaired drift, 3 repairs applied") == true, "\(none.output)")
        #expect(listed(none) == 0, "\(none.output)")
        #expect(!none.output.contains("more difference"), "nothing listed, so nothing more: \(none.output)")
        #expect(none.output.contains("(3 differences found, none listed"), "\(none.output)")

        try drift()
        let one = try await scimsync(["reconcile", "--config", config, "--details", "1"], environment: env)
        #expect(one.status == 0, "\(one.output)")
        #expect(listed(one) == 1, "\(one.output)")
        #expect(one.output.contains("(2 more differences not listed"), "\(one.output)")

        try drift()
        let all = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(all.status == 0, "\(all.output)")
        #expect(listed(all) == 3, "\(all.output)")
        #expect(!all.output.contains("not listed") && !all.output.contains("more difference"), "\(all.output)")
    }

    /// A repair the target refuses is quarantined as the stream's would be, and not counted as
    /// applied: the pass says how many it could not apply and `status` lists them.
    @Test func aRepairTheTargetRefusesIsNotCountedAsApplied() async throws {
        let fixture = try ExampleDirectories()
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let env = fixture.environment
        let load = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(load.status == 0, "\(load.output)")
        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        try target.execute("UPDATE portal_users SET family_name = 'X' WHERE id IN ('1', '2')")
        try target.execute(
            "CREATE TRIGGER frozen BEFORE UPDATE ON portal_users WHEN NEW.id = '2' BEGIN SELECT RAISE(ABORT, 'frozen row'); END")

        // Exit status 1: the target still differs where it refused.
        let pass = try await scimsync(["reconcile", "--config", config, "--format", "json"], environment: env)
        #expect(pass.status == 1, "\(pass.output)")
        let report = try #require(try SCIMValue(json: pass.output).arrayValue?.first?.objectValue, "\(pass.output)")
        #expect(report["repairs"]?.objectValue?["patchUser"] == .integer(1), "\(pass.output)")
        #expect(report["notApplied"] == .integer(1), "\(pass.output)")
        #expect(try target.query("SELECT family_name FROM portal_users WHERE id = '1'").first?.values.first != .text("X"))

        try target.execute("UPDATE portal_users SET family_name = 'X' WHERE id = '1'")
        let text = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(text.lines.first?.hasPrefix("hr-to-portal: repaired drift, 1 repair applied") == true, "\(text.output)")
        #expect(text.output.contains("1 repair not applied: refused by the target"), "\(text.output)")

        let status = try await scimsync(["status", "--config", config], environment: env)
        #expect(status.output.contains("1 row quarantined (User 2: patchUser of User 2 refused"), "\(status.output)")
    }

    /// A source value the mapping cannot convert (bytes that are not UTF-8 text) stops neither
    /// a load nor a pass: the load quarantines the row and loads the rest, a pass leaves the
    /// row as the target has it and says so.
    @Test func aSourceRowTheMappingCannotConvertStopsNoPass() async throws {
        let fixture = try ExampleDirectories()
        let config = ExampleDirectories.path("config/mariadb-to-sqlite.yaml")
        let env = fixture.environment
        let source = try PipelineHarness.source(fixture)
        try source.execute("ALTER TABLE sync_users MODIFY employee_number VARBINARY(64)")
        try source.execute("UPDATE sync_users SET employee_number = x'FF00FE41' WHERE id = 2")

        let load = try await scimsync(["reconcile", "--config", config, "--format", "json"], environment: env)
        #expect(load.status == 1, "\(load.output)")
        let target = try SQLiteDatabase(path: fixture.sqlitePath)
        #expect(try target.query("SELECT id FROM portal_users ORDER BY id").count == 3, "the other users are loaded")
        let status = try await scimsync(["status", "--config", config], environment: env)
        #expect(status.output.contains("User 2"), "\(status.output)")
        #expect(status.output.contains("not valid UTF-8"), "\(status.output)")

        try target.execute("UPDATE portal_users SET family_name = 'X' WHERE id = '1'")
        let pass = try await scimsync(["reconcile", "--config", config], environment: env)
        #expect(pass.status == 1, "\(pass.output)")
        #expect(pass.output.contains("User 2: the source row cannot be read"), "\(pass.output)")
        #expect(pass.output.contains("1 source row the mapping cannot convert"), "\(pass.output)")
        #expect(try target.query("SELECT family_name FROM portal_users WHERE id = '1'").first?.values.first != .text("X"))
    }
}
