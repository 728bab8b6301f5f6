import Config
import Daemon
import Foundation
import OffsetStore
import Reconcile
import SCIM
import SCIMClient
import SQLClients
import SourceKinds
import Testing
import TestSupport
import TargetKinds
import scimsync

/// `scimsync run` with `target: scim:` (config/mariadb-to-scim.yaml) into a real scim2-server:
/// the first load, live changes, SIGTERM, and a restart that duplicates nothing.
@Suite struct SCIMTargetRunTests {
    /// One source value the mapping cannot convert (bytes that are not UTF-8 text) stops no
    /// first load into a provider: that user is set aside, reported and quarantined, and the
    /// others arrive.
    @Test func aSourceRowTheMappingCannotConvertIsSetAsideByTheLoad() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        let path = fixture.stateDirectory + "/scimsync.yaml"
        try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-scim.yaml"), encoding: .utf8)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let environment = fixture.environment.merging(["SCIM_URL": peer.url, "SCIM_TOKEN": peer.token]) { a, _ in a }
        let source = try PipelineHarness.source(fixture)
        try source.execute("ALTER TABLE sync_users MODIFY employee_number VARBINARY(64)")
        try source.execute("UPDATE sync_users SET employee_number = x'FF00FE41' WHERE id = 2")

        let commands = ReconcileCommandTests()
        let load = try await commands.scimsync(["reconcile", "--config", path], environment: environment)
        #expect(load.status == 1, "\(load.output)")
        let users = try await client.search(.users, count: 100).resources.compactMap(\.externalId).sorted()
        #expect(users == ["1", "3", "4"], "\(load.output)")
        #expect(try await client.search(.groups).totalResults == 4)
        let status = try await commands.scimsync(["status", "--config", path], environment: environment)
        #expect(status.output.contains("User 2"), "\(status.output)")
        #expect(status.output.contains("not valid UTF-8"), "\(status.output)")
    }

    @Test func runPushesToAProviderAndResumesWithoutDuplicates() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        let path = fixture.stateDirectory + "/scimsync.yaml"
        let logPath = fixture.stateDirectory + "/scimsync.log"
        try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-scim.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "serverId: 4243", with: "serverId: \(UInt32.random(in: 10_000...900_000))")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let environment = fixture.environment.merging(["PATH": "/usr/bin:/bin", "SCIM_URL": peer.url, "SCIM_TOKEN": peer.token]) { a, _ in a }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)

        func start() throws -> Process {
            let process = Process()
            process.executableURL = CheckCommandTests.executable
            process.arguments = ["run", "--config", path]
            process.environment = environment
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.run()
            return process
        }
        func stop(_ process: Process) async throws {
            process.terminate()
            let deadline = ContinuousClock.now + TestBounds.serverEvent
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!process.isRunning)
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
        func users() async throws -> [String: SCIMResource] {
            let list = try await client.search(.users, count: 100)
            return Dictionary(list.resources.map { ($0.externalId ?? "?", $0) }) { a, _ in a }
        }
        func members() async throws -> Set<String> {
            let names = try await users().mapValues { $0.id ?? "" }
            let byProviderID = Dictionary(names.map { ($1, $0) }) { a, _ in a }
            var pairs: Set<String> = []
            for group in try await client.search(.groups, count: 100).resources {
                for member in group.memberIDs { pairs.insert("\(byProviderID[member] ?? "?") in \(group.externalId ?? "?")") }
            }
            return pairs
        }
        func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + TestBounds.serverEvent
            while try await !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            #expect(try await condition(), "\(what) did not happen; daemon log:\n\(log)")
        }

        var daemon = try start()
        try await waitUntil("the first load") { try await members() == ["1 in 4", "2 in 2", "3 in 3", "4 in 3"] }
        let loaded = try await users()
        #expect(loaded.count == 4)
        let barbara = try #require(loaded["1"])
        #expect(barbara["userName"] == "bjensen")
        #expect(barbara["title"] == "Tour Guide")
        #expect(barbara[SchemaURN.enterpriseUser]?.objectValue?["employeeNumber"] == "701984")
        #expect(loaded["4"]?["active"] == false)
        #expect(try await client.search(.groups).totalResults == 4)

        let source = try PipelineHarness.source(fixture)
        _ = try source.execute("UPDATE sync_users SET first_name = 'Babs' WHERE id = 1")
        _ = try source.execute("INSERT INTO sync_users_groups_rel VALUES (1, 1)")
        _ = try source.execute("DELETE FROM sync_users_groups_rel WHERE user_id = 3 AND group_id = 3")
        _ = try source.execute("DELETE FROM sync_users WHERE id = 2")
        try await waitUntil("the live changes") {
            let now = try await users()
            return now["1"]?["name"]?.objectValue?["givenName"] == "Babs" && now["2"]?["active"] == false
        }
        #expect(try await members() == ["1 in 4", "1 in 1", "2 in 2", "4 in 3"])
        try await stop(daemon)

        // A restart resumes at the stored position: nothing is created twice.
        daemon = try start()
        _ = try source.execute(
            "INSERT INTO sync_users (id, username, first_name, last_name, is_active) VALUES (5, 'newbie', 'New', 'Bie', 1)")
        try await waitUntil("the change after the restart") { try await users()["5"] != nil }
        try await stop(daemon)
        #expect(try await users().count == 5)
        #expect(try await client.search(.groups).totalResults == 4)

        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(!log.contains(peer.token), "the token reached the log")

        // explain reads the provider: the target's user and group as the provider has them,
        // given the source's ids back, agree with the source.
        let commands = ReconcileCommandTests()
        func explain(_ arguments: [String]) async throws -> (status: Int32, report: SCIMObject?, output: String) {
            let result = try await commands.scimsync(["explain", "--config", path, "--format", "json"] + arguments, environment: environment)
            return (result.status, try? SCIMValue(json: Array(result.output.utf8)).objectValue, result.output)
        }
        let user = try await explain(["--user", "1"])
        #expect(user.status == 0, "\(user.output)")
        #expect(user.report?["target"]?.objectValue?["id"] == .string("1"), "\(user.output)")
        #expect(user.report?["target"]?.objectValue?["userName"] == .string("bjensen"), "\(user.output)")
        #expect(user.report?["agree"] == .bool(true), "\(user.output)")
        let group = try await explain(["--group", "1"])
        #expect(group.status == 0, "\(group.output)")
        #expect(group.report?["differing"] == .array([]), "\(group.output)")
        #expect(group.report?["target"]?.objectValue?["displayName"] == .string("Acme"), "\(group.output)")
        // Drift on the provider: explain names it and exits 2.
        let providerID = try #require(try await users()["1"]?.id)
        try await client.patch(providerID, at: .users, [PatchOperation(op: .replace, path: try AttributePath.parse("title"), value: "Drifted")])
        let drifted = try await explain(["--user-name", "bjensen"])
        #expect(drifted.status == 2, "\(drifted.output)")
        #expect(drifted.report?["differing"] == .array([.string("title")]), "\(drifted.output)")
        #expect(!drifted.output.contains(peer.token))
    }
}

/// `scimsync check` on a SCIM target: the provider is asked for its ServiceProviderConfig
/// with the token.
@Suite struct SCIMTargetCheckTests {
    func check(token: String, url: String, fixture: ExampleDirectories) async throws -> (Bool, [String]) {
        let text = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-scim.yaml"), encoding: .utf8)
        let config = try ConfigLoader.parse(
            text, file: "mariadb-to-scim.yaml",
            kinds: configKinds, environment: fixture.environment.merging(["SCIM_URL": url, "SCIM_TOKEN": token]) { a, _ in a })
        var lines: [String] = []
        let passed = await Preflight.run(config, sources: SourceKinds.registry, targets: TargetKinds.registry) {
            lines.append($0.line)
        }
        return (passed, lines)
    }

    @Test func aProviderThatAcceptsTheTokenPasses() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let (passed, lines) = try await check(token: peer.token, url: peer.url, fixture: fixture)
        #expect(passed, "\(lines)")
        #expect(lines.dropLast().last == "ok    hr-to-scim target: SCIM provider at \(peer.url) accepts the token; PATCH supported")
    }

    @Test func aRefusedTokenFailsWithAdvice() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let (passed, lines) = try await check(token: "wrong-token-4711", url: peer.url, fixture: fixture)
        #expect(!passed)
        #expect(lines.dropLast().last == "FAIL  hr-to-scim target: the SCIM provider answered GET /Users?startIndex=…&count=… with HTTP 401: "
            + "Authorization failure. The authorization header is invalid or missing; the provider refused the token: "
            + "check the token's environment variable (pipelines[0].target.scim)")
        #expect(!lines.joined().contains("wrong-token-4711"))
    }
}

/// Reconciliation of a SCIM target (`scimsync reconcile`): the provider read back page by
/// page through the provider-id map, its drift repaired through the SCIM target.
@Suite struct SCIMTargetReconcileTests {
    @Test func driftOnTheProviderIsFoundAndRepaired() async throws {
        let fixture = try ExampleDirectories()
        let peer = try await SCIMPeer.start()
        let client = try SCIMClient(baseURL: peer.url, token: peer.token)
        let text = try String(contentsOfFile: ExampleDirectories.path("config/mariadb-to-scim.yaml"), encoding: .utf8)
        let config = try ConfigLoader.parse(
            text, file: "mariadb-to-scim.yaml", baseDirectory: fixture.stateDirectory,
            kinds: configKinds, environment: fixture.environment.merging(["SCIM_URL": peer.url, "SCIM_TOKEN": peer.token]) { a, _ in a })
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        func reconcile(dryRun: Bool = false) async throws -> ReconcileOutcome {
            try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
                sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions(dryRun: dryRun))
        }
        func state() async throws -> (users: [String: SCIMResource], members: Set<String>) {
            let users = try await client.search(.users, count: 100).resources
            let byID = Dictionary(users.map { ($0.id ?? "", $0.externalId ?? "?") }) { a, _ in a }
            var members: Set<String> = []
            for group in try await client.search(.groups, count: 100).resources {
                for member in group.memberIDs { members.insert("\(byID[member] ?? "?") in \(group.externalId ?? "?")") }
            }
            return (Dictionary(users.map { ($0.externalId ?? "?", $0) }) { a, _ in a }, members)
        }

        // Into an empty provider a pass creates everything.
        guard case .repaired = try await reconcile() else {
            Issue.record("the first pass should create the directory")
            return
        }
        let loaded = try await state()
        #expect(loaded.users.count == 4)
        #expect(loaded.members == ["1 in 4", "2 in 2", "3 in 3", "4 in 3"])
        guard case .clean = try await reconcile() else {
            Issue.record("a second pass should find nothing")
            return
        }

        // Drift made on the provider behind scimsync's back.
        let barbara = try #require(loaded.users["1"]?.id)
        let john = try #require(loaded.users["2"]?.id)
        let maria = try #require(loaded.users["3"]?.id)
        try await client.patch(barbara, at: .users, [
            PatchOperation(op: .replace, path: try AttributePath.parse("name.givenName"), value: "Hacked")
        ])
        try await client.delete(john, at: .users)
        let platform = try #require(try await client.search(.groups, filter: #"externalId eq "3""#).resources.first?.id)
        try await client.patch(platform, at: .groups, [
            PatchOperation(op: .remove, path: try AttributePath.parse(#"members[value eq "\#(maria)"]"#))
        ])

        guard case .dryRun(let report) = try await reconcile(dryRun: true) else {
            Issue.record("the dry run should find drift")
            return
        }
        #expect(report.repairs[.patchUser] == 1)
        #expect(report.repairs[.createUser] == 1)
        #expect(report.repairs[.addMember] == 2)  // Maria in Platform, and the recreated John in Engineering
        #expect(try await state().users["1"]?["name"]?.objectValue?["givenName"] == "Hacked")

        guard case .repaired = try await reconcile() else {
            Issue.record("the pass should repair the drift")
            return
        }
        let repaired = try await state()
        #expect(repaired.users["1"]?["name"]?.objectValue?["givenName"] == "Barbara")
        #expect(repaired.users["2"]?["userName"] == "jsmith")
        // scim2-server keeps a deleted user's id among its groups' members; that member is no
        // user scimsync knows, so it is not scimsync's to remove.
        #expect(repaired.members.filter { !$0.hasPrefix("? ") } == loaded.members)
        #expect(repaired.members.subtracting(loaded.members) == ["? in 2"])
        guard case .clean = try await reconcile() else {
            Issue.record("after the repair a pass should find nothing")
            return
        }
    }
}
