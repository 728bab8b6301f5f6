import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import OffsetStore
import Reconcile
import SCIM
import SQLClients
import SourceKinds
import TargetKinds
import Testing
import TestSupport
import scimsync

/// Each chat platform's example, config/<kind>-from-mariadb.yaml, run end to end against the
/// platform's simulator: a MariaDB binlog pipeline writes the directory and keeps it in step, a
/// refused object is quarantined while the rest applies, and a reconciliation pass repairs drift.
@Suite struct ChatTargetPipelineTests {
    /// A first load, then a rename, a move, a new membership, a user leaving a team, a user
    /// deleted (disabled where the example deactivates), a duplicate mobile (quarantined while
    /// the rest applies) and a team deleted, all streamed from the binlog and checked in the
    /// simulator's state; then drift repaired by a reconciliation pass.
    @Test(arguments: ChatTargetPlatform.allCases)
    func aMariaDBDirectoryIsWrittenAndKeptInStep(_ platform: ChatTargetPlatform) async throws {
        let kind = platform.fixture.kind
        let fixture = try await platform.fixture.start()
        let url = try TestServers.mariaDBURL()
        let database = TestServers.uniqueName("hr\(kind)")
        let admin = try TestServers.mariaDB()
        try admin.execute("CREATE DATABASE `\(database)` CHARACTER SET utf8mb4")
        let source = try MariaDBConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: database)
        let ddl = try String(contentsOfFile: FeishuSim.repositoryRoot + "/config/sql/mariadb-\(kind)-source.sql", encoding: .utf8)
        for statement in ddl.split(separator: "\n").filter({ !$0.hasPrefix("--") }).joined(separator: "\n")
            .components(separatedBy: ";\n").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
            .map({ $0.hasSuffix(";") ? String($0.dropLast()) : $0 }).filter({ !$0.isEmpty })
        {
            try source.execute(statement)
        }
        // The columns named: WeCom's table has `active` too, 1 unless said.
        let staff = "INSERT INTO staff (id, full_name, mobile, email, title) VALUES"
        try source.execute("INSERT INTO teams VALUES (10, 'Engineering', NULL), (11, 'Platform', 10), (12, 'Sales', NULL), (13, 'Databases', 11), (14, 'Sales', 10)")
        try source.execute(
            """
            \(staff)
              ('alice', 'Alice Chen', '+86 13800000001', 'alice@example.com', 'Engineer'),
              ('bob smith', 'Bob Smith', '13800000002', NULL, 'Sales rep'),
              ('carol', 'Carol Li', '+86 13800000003', 'carol@example.com', NULL),
              ('dave', 'Dave Wu', '+86 13800000004', NULL, NULL)
            """)
        try source.execute("INSERT INTO staff_teams VALUES ('alice', 11), ('alice', 12), ('bob smith', 12), ('carol', 13)")

        let state = NSTemporaryDirectory() + TestServers.uniqueName("scimsync-\(kind)-target")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: FeishuSim.repositoryRoot + "/config/\(kind)-from-mariadb.yaml", encoding: .utf8)
            .replacingOccurrences(
                of: #"serverId: \d+"#, with: "serverId: \(UInt32.random(in: 10_000...900_000))", options: .regularExpression)
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
            // A directory of eight: the removals below are more than 10% of it.
            .replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 100%")
        let config = try ConfigLoader.parse(
            text, file: "\(kind)-from-mariadb.yaml", baseDirectory: state, kinds: configKinds,
            environment: fixture.exampleEnvironment.merging([
                "HR_DB_HOST": url.host, "HR_DB_PORT": String(url.port), "HR_DB_USER": url.user, "HR_DB_PASSWORD": url.password,
                "HR_DB_NAME": database, "SCIMSYNC_STATE_DIR": state,
            ]) { own, _ in own })
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let run = Task {
            try await Pipeline(configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry)
                .run()
        }
        defer { run.cancel() }

        let deactivates = platform.fixture.exampleDeactivates
        let bob = platform.fixture.userID(forSourceID: "bob smith")
        let bobIsValid = platform.fixture.isValidUserID(bob)
        #expect(bob != "bob smith" && bobIsValid)
        let loaded = SimState(
            // Two teams named Sales, under different parents: each created under its own at once.
            departments: ["Databases|Platform", "Engineering|(root)", "Platform|Engineering", "Sales|(root)", "Sales|Engineering"].sorted(),
            users: [
                "\(bob)|Bob Smith|Sales", "alice|Alice Chen|Platform,Sales", "carol|Carol Li|Databases", "dave|Dave Wu|(root)",
            ].sorted())
        var last = try await fixture.state()
        let firstLoad = try await eventually {
            last = try await fixture.state()
            return last.departments == loaded.departments && last.users == loaded.users
        }
        #expect(firstLoad, "the first load did not arrive: \(last)")
        #expect(last.userFields["alice"]?["mobile"] == "+86 13800000001")
        #expect(last.userFields["alice"]?["email"] == "alice@example.com")
        #expect(last.userFields["alice"]?["title"] == "Engineer")
        let bobsMobile = platform.fixture.mobilesComeBackWithCountryCode ? "+86 13800000002" : "13800000002"
        #expect(last.userFields[bob]?["mobile"] == .string(bobsMobile))
        if platform.fixture.disablesUsers {
            #expect(last.userFields["alice"]?["active"] == .bool(true))
        }

        // Live changes through the binlog.
        try source.execute("UPDATE teams SET name = 'Core Platform' WHERE id = 11")
        try source.execute("UPDATE teams SET parent_id = 12 WHERE id = 13")
        try source.execute("UPDATE staff SET title = 'Staff Engineer' WHERE id = 'alice'")
        if deactivates { try source.execute("UPDATE staff SET active = 0 WHERE id = 'dave'") }
        try source.execute("INSERT INTO staff_teams VALUES ('dave', 10)")
        try source.execute("DELETE FROM staff_teams WHERE staff_id = 'alice' AND team_id = 12")
        try source.execute("DELETE FROM staff_teams WHERE staff_id = 'bob smith'")
        try source.execute("DELETE FROM staff WHERE id = 'bob smith'")
        // The same mobile as carol's: the platform refuses it, the rest applies.
        try source.execute("\(staff) ('erin', 'Erin Ma', '+86 13800000003', NULL, NULL)")
        try source.execute("\(staff) ('frank', 'Frank Zhou', '+86 13800000006', NULL, NULL)")
        try source.execute("INSERT INTO staff_teams VALUES ('frank', 12)")
        let changed = SimState(
            departments: ["Core Platform|Engineering", "Databases|Sales", "Engineering|(root)", "Sales|(root)", "Sales|Engineering"].sorted(),
            users: ([
                "alice|Alice Chen|Core Platform", "carol|Carol Li|Databases", "dave|Dave Wu|Engineering", "frank|Frank Zhou|Sales",
            ] + (deactivates ? ["\(bob)|Bob Smith|(root)"] : [])).sorted())
        let streamed = try await eventually {
            last = try await fixture.state()
            return last.departments == changed.departments && last.users == changed.users
                && last.userFields["alice"]?["title"] == "Staff Engineer"
                && (!deactivates
                    || last.userFields[bob]?["active"] == .bool(false) && last.userFields["dave"]?["active"] == .bool(false))
        }
        #expect(streamed, "the live changes did not arrive: \(last)")
        let quarantined = try await eventually { try store.quarantined(pipeline: pipeline.name).contains { $0.id == "erin" } }
        let entries = try store.quarantined(pipeline: pipeline.name)
        #expect(quarantined, "erin should be quarantined: \(entries)")
        let erin = entries.first { $0.id == "erin" }
        let code = platform.fixture.codes.duplicateMobile
        #expect(erin?.kind == "User" && erin?.reason.contains(code) == true, "\(String(describing: erin))")
        #expect(erin?.reason.contains("13800000003") == false, "the mobile reached the quarantine's reason")
        for secret in fixture.secrets {
            #expect(erin?.reason.contains(secret) == false, "a secret reached the quarantine's reason")
        }

        // A team deleted with its member: carol leaves it first, then the empty team goes.
        try source.execute("DELETE FROM staff_teams WHERE team_id = 13")
        try source.execute("DELETE FROM teams WHERE id = 13")
        let deleted = try await eventually {
            last = try await fixture.state()
            return !last.departments.contains { $0.hasPrefix("Databases|") } && last.users.contains("carol|Carol Li|(root)")
        }
        #expect(deleted, "the team was not deleted: \(last)")
        run.cancel()
        _ = await run.result

        // Drift made in the platform behind scimsync's back (a rename, a membership removed, a
        // deactivated user enabled) is found by a reconciliation pass reading it back, and
        // repaired.
        let core = try #require(last.departmentIDs["Core Platform"])
        if platform.fixture.departmentIDsAreSourceIDs {
            #expect(core == "11", "the department's id is not its source id")
        }
        try await fixture.sim.control("POST", "/_sim/admin/update_department", ["id": .string(core), "name": "Drifted"])
        try await fixture.sim.control("POST", "/_sim/admin/update_user", ["id": "alice", "departments": ["1"]])
        if deactivates {
            try await fixture.sim.control("POST", "/_sim/admin/update_user", ["id": "dave", "active": true])
        }
        _ = try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions())
        last = try await fixture.state()
        #expect(last.departments == ["Core Platform|Engineering", "Engineering|(root)", "Sales|(root)", "Sales|Engineering"].sorted(), "\(last)")
        #expect(last.users.contains("alice|Alice Chen|Core Platform"), "\(last)")
        if deactivates {
            #expect(last.userFields["dave"]?["active"] == .bool(false), "\(last)")
        }
        try admin.execute("DROP DATABASE `\(database)`")
    }
}
