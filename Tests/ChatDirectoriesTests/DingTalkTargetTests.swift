import ChatDirectories
import Config
import Daemon
import Directory
import Foundation
import Logging
import OffsetStore
import Reconcile
import SCIM
import SQLClients
import SourceKinds
import Synchronization
import TargetKinds
import Testing
import TestSupport
import scimsync

/// `target: { dingtalk: ... }` against scripts/dingtalk-sim: a MariaDB binlog pipeline into the
/// simulator (config/dingtalk-from-mariadb.yaml), a refused object quarantined while the rest
/// applies, and creates whose answers were lost recognised on replay.
@Suite struct DingTalkTargetTests {
    /// The simulator's directory as `GET /_sim/state` shows it: departments as
    /// `name|parent name`, users as `id|name|department names`, sorted.
    struct SimState: Equatable, CustomStringConvertible {
        var departments: [String]
        var users: [String]
        var userFields: [String: SCIMObject]
        var departmentIDs: [String: String]

        var description: String { "departments \(departments), users \(users)" }
    }

    static func state(_ sim: DingTalkSim) async throws -> SimState {
        let answer = try await sim.control("GET", "/_sim/state")
        var names: [String: String] = ["1": "(root)"]
        let departments = answer["departments"]?.arrayValue?.compactMap(\.objectValue) ?? []
        for department in departments {
            if let id = department["id"]?.stringValue, let name = department["name"]?.stringValue, id != "1" { names[id] = name }
        }
        var ids: [String: String] = [:]
        for (id, name) in names { ids[name] = id }
        let departmentLines = departments.compactMap { department -> String? in
            guard let id = department["id"]?.stringValue, id != "1" else { return nil }
            return "\(names[id] ?? "?")|\(names[department["parent"]?.stringValue ?? ""] ?? "?")"
        }.sorted()
        var fields: [String: SCIMObject] = [:]
        let userLines = (answer["users"]?.arrayValue?.compactMap(\.objectValue) ?? []).map { user -> String in
            let id = user["id"]?.stringValue ?? "?"
            fields[id] = user
            let departments = (user["departments"]?.arrayValue ?? []).compactMap(\.stringValue).map { names[$0] ?? "?" }.sorted()
            return "\(id)|\(user["name"]?.stringValue ?? "")|\(departments.joined(separator: ","))"
        }.sorted()
        return SimState(departments: departmentLines, users: userLines, userFields: fields, departmentIDs: ids)
    }

    // MARK: MariaDB → DingTalk

    /// A first load, then a rename, a move, a new membership, a user leaving a team, a user
    /// deleted, a duplicate mobile (quarantined while the rest applies) and a team deleted,
    /// all streamed from the binlog and checked in the simulator's state.
    @Test func aMariaDBDirectoryIsWrittenAndKeptInStep() async throws {
        let sim = try await DingTalkSim.start()
        let url = try TestServers.mariaDBURL()
        let database = TestServers.uniqueName("hrding")
        let admin = try TestServers.mariaDB()
        try admin.execute("CREATE DATABASE `\(database)` CHARACTER SET utf8mb4")
        let source = try MariaDBConnection(
            host: url.host, port: url.port, user: url.user, password: url.password, database: database)
        let ddl = try String(contentsOfFile: FeishuSim.repositoryRoot + "/config/sql/mariadb-dingtalk-source.sql", encoding: .utf8)
        for statement in ddl.split(separator: "\n").filter({ !$0.hasPrefix("--") }).joined(separator: "\n")
            .components(separatedBy: ";\n").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
            .map({ $0.hasSuffix(";") ? String($0.dropLast()) : $0 }).filter({ !$0.isEmpty })
        {
            try source.execute(statement)
        }
        try source.execute("INSERT INTO teams VALUES (10, 'Engineering', NULL), (11, 'Platform', 10), (12, 'Sales', NULL), (13, 'Databases', 11), (14, 'Sales', 10)")
        try source.execute(
            """
            INSERT INTO staff VALUES
              ('alice', 'Alice Chen', '+86 13800000001', 'alice@example.com', 'Engineer'),
              ('bob smith', 'Bob Smith', '13800000002', NULL, 'Sales rep'),
              ('carol', 'Carol Li', '+86 13800000003', 'carol@example.com', NULL),
              ('dave', 'Dave Wu', '+86 13800000004', NULL, NULL)
            """)
        try source.execute("INSERT INTO staff_teams VALUES ('alice', 11), ('alice', 12), ('bob smith', 12), ('carol', 13)")

        let state = NSTemporaryDirectory() + TestServers.uniqueName("scimsync-dingtalk-target")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: FeishuSim.repositoryRoot + "/config/dingtalk-from-mariadb.yaml", encoding: .utf8)
            .replacingOccurrences(of: "serverId: 4244", with: "serverId: \(UInt32.random(in: 10_000...900_000))")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
            // A directory of eight: the removals below are more than 10% of it.
            .replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 100%")
        let config = try ConfigLoader.parse(
            text, file: "dingtalk-from-mariadb.yaml", baseDirectory: state, kinds: configKinds,
            environment: [
                "HR_DB_HOST": url.host, "HR_DB_PORT": String(url.port), "HR_DB_USER": url.user, "HR_DB_PASSWORD": url.password,
                "HR_DB_NAME": database, "SCIMSYNC_STATE_DIR": state, "DINGTALK_APP_KEY": sim.appKey,
                "DINGTALK_APP_SECRET": sim.appSecret, "DINGTALK_BASE_URL": sim.baseURL,
            ])
        let pipeline = try #require(config.pipelines.first)
        let store = try OffsetStore(path: config.offsets.path)
        let run = Task {
            try await Pipeline(configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry)
                .run()
        }
        defer { run.cancel() }

        let bob = DingTalkUserID.forSourceID("bob smith")
        #expect(bob != "bob smith" && DingTalkUserID.isValid(bob))
        let loaded = SimState(
            // Two teams named Sales, under different parents: each created under its own at once.
            departments: ["Databases|Platform", "Engineering|(root)", "Platform|Engineering", "Sales|(root)", "Sales|Engineering"].sorted(),
            users: [
                "\(bob)|Bob Smith|Sales", "alice|Alice Chen|Platform,Sales", "carol|Carol Li|Databases", "dave|Dave Wu|(root)",
            ].sorted(), userFields: [:], departmentIDs: [:])
        var last = try await Self.state(sim)
        let firstLoad = try await eventually {
            last = try await Self.state(sim)
            return last.departments == loaded.departments && last.users == loaded.users
        }
        #expect(firstLoad, "the first load did not arrive: \(last)")
        #expect(last.userFields["alice"]?["mobile"] == "+86 13800000001")
        #expect(last.userFields["alice"]?["email"] == "alice@example.com")
        #expect(last.userFields["alice"]?["title"] == "Engineer")

        // Live changes through the binlog.
        try source.execute("UPDATE teams SET name = 'Core Platform' WHERE id = 11")
        try source.execute("UPDATE teams SET parent_id = 12 WHERE id = 13")
        try source.execute("UPDATE staff SET title = 'Staff Engineer' WHERE id = 'alice'")
        try source.execute("INSERT INTO staff_teams VALUES ('dave', 10)")
        try source.execute("DELETE FROM staff_teams WHERE staff_id = 'alice' AND team_id = 12")
        try source.execute("DELETE FROM staff_teams WHERE staff_id = 'bob smith'")
        try source.execute("DELETE FROM staff WHERE id = 'bob smith'")
        // The same mobile as carol's: DingTalk refuses it (60104), the rest applies.
        try source.execute("INSERT INTO staff VALUES ('erin', 'Erin Ma', '+86 13800000003', NULL, NULL)")
        try source.execute("INSERT INTO staff VALUES ('frank', 'Frank Zhou', '+86 13800000006', NULL, NULL)")
        try source.execute("INSERT INTO staff_teams VALUES ('frank', 12)")
        let changed = SimState(
            departments: ["Core Platform|Engineering", "Databases|Sales", "Engineering|(root)", "Sales|(root)", "Sales|Engineering"].sorted(),
            users: ["alice|Alice Chen|Core Platform", "carol|Carol Li|Databases", "dave|Dave Wu|Engineering", "frank|Frank Zhou|Sales"],
            userFields: [:], departmentIDs: [:])
        let streamed = try await eventually {
            last = try await Self.state(sim)
            return last.departments == changed.departments && last.users == changed.users
                && last.userFields["alice"]?["title"] == "Staff Engineer"
        }
        #expect(streamed, "the live changes did not arrive: \(last)")
        let quarantined = try await eventually { try store.quarantined(pipeline: pipeline.name).contains { $0.id == "erin" } }
        let entries = try store.quarantined(pipeline: pipeline.name)
        #expect(quarantined, "erin should be quarantined: \(entries)")
        let erin = entries.first { $0.id == "erin" }
        #expect(erin?.kind == "User" && erin?.reason.contains("60104") == true, "\(String(describing: erin))")
        #expect(erin?.reason.contains("13800000003") == false, "the mobile reached the quarantine's reason")

        // A team deleted with its member: carol leaves it first, then the empty team goes.
        try source.execute("DELETE FROM staff_teams WHERE team_id = 13")
        try source.execute("DELETE FROM teams WHERE id = 13")
        let deleted = try await eventually {
            last = try await Self.state(sim)
            return !last.departments.contains { $0.hasPrefix("Databases|") } && last.users.contains("carol|Carol Li|(root)")
        }
        #expect(deleted, "the team was not deleted: \(last)")
        run.cancel()
        _ = await run.result

        // Drift made in DingTalk behind scimsync's back (a rename, a membership removed) is
        // found by a reconciliation pass reading DingTalk back, and repaired.
        let platform = try #require(last.departmentIDs["Core Platform"])
        try await sim.control("POST", "/_sim/admin/update_department", ["id": .string(platform), "name": "Drifted"])
        try await sim.control("POST", "/_sim/admin/update_user", ["id": "alice", "departments": ["1"]])
        _ = try await Reconciliation(pipeline: pipeline, store: store).runStandalone(
            sources: SourceKinds.registry, targets: TargetKinds.registry, options: ReconcileOptions())
        last = try await Self.state(sim)
        #expect(last.departments == ["Core Platform|Engineering", "Engineering|(root)", "Sales|(root)", "Sales|Engineering"].sorted(), "\(last)")
        #expect(last.users.contains("alice|Alice Chen|Core Platform"), "\(last)")
        try admin.execute("DROP DATABASE `\(database)`")
    }

    // MARK: The target alone

    static func target(_ sim: DingTalkSim, ids: MemoryDingTalkIDs, adopt: Bool = false) -> DingTalkTarget {
        let settings = DingTalkTargetConfig(appKey: sim.appKey, appSecret: sim.appSecret, baseURL: sim.baseURL)
        let client = DingTalkClient(
            baseURL: sim.baseURL, appKey: sim.appKey, appSecret: sim.appSecret, keyPath: "target.dingtalk",
            logger: Logger(label: "test"))
        return DingTalkTarget(client: client, ids: ids, settings: settings, adopt: adopt, logger: Logger(label: "test"))
    }

    static func user(_ id: String, _ name: String, mobile: String, title: String? = nil) -> SCIMResource {
        var attributes: SCIMObject = [
            "id": .string(id), "displayName": .string(name),
            "phoneNumbers": [["type": "work", "value": .string(mobile)]],
        ]
        if let title { attributes["title"] = .string(title) }
        return SCIMResource(attributes)
    }

    static func group(_ id: String, _ name: String) -> SCIMResource {
        SCIMResource(["id": .string(id), "displayName": .string(name)])
    }

    /// One user's mobile is another's, one department's name has a character DingTalk forbids:
    /// each is refused with DingTalk's code, the rest of the batch applies.
    @Test func refusedObjectsAreReportedAndTheRestApplies() async throws {
        let sim = try await DingTalkSim.start()
        let ids = MemoryDingTalkIDs()
        let target = Self.target(sim, ids: ids)
        let report = try await target.apply(
            ResourceOp.ordered([
                .create(.group, Self.group("g1", "Research")),
                .create(.group, Self.group("g2", "R-and-D")),
                .create(.user, Self.user("u1", "One", mobile: "+86 13900000001")),
                .create(.user, Self.user("u2", "Two", mobile: "+86 13900000001")),
                .create(.user, Self.user("u3", "Three", mobile: "13900000003")),
                .addMember(groupID: "g1", userID: "u1"),
                .addMember(groupID: "g1", userID: "u3"),
                .addMember(groupID: "g2", userID: "u3"),
            ]))
        let refused = Dictionary(report.refused.map { ($0.subject.description, $0.reason) }) { first, _ in first }
        #expect(refused.keys.sorted() == ["Group g2", "User u2"], "\(report)")
        #expect(refused["User u2"]?.contains("errcode 60104") == true, "\(refused)")
        #expect(refused["User u2"]?.contains("13900000001") == false)
        #expect(refused["Group g2"]?.contains("errcode 60009") == true, "\(refused)")
        // The member additions into the refused department wait for it.
        #expect(report.parked.map(\.op) == [.addMember(groupID: "g2", userID: "u3")])
        let state = try await Self.state(sim)
        #expect(state.departments == ["Research|(root)"])
        #expect(state.users == ["u1|One|Research", "u3|Three|Research"], "\(state)")
        #expect(ids.entries[.user]?["u2"] == nil, "a refused create leaves no entry")
    }

    /// Creates whose answers were lost (the intent recorded, the object made, the answer never
    /// read): on replay, the user's 60102 is read and updated, the department's 60008 looked up
    /// under its parent and taken over; nothing is made twice. A userid scimsync never sent
    /// stays refused.
    @Test func aReplayAfterALostCreateAdoptsWhatWasMade() async throws {
        let sim = try await DingTalkSim.start()
        let ids = MemoryDingTalkIDs()
        let target = Self.target(sim, ids: ids)
        // What the lost creates did before their answers went missing.
        try ids.recordIntent("g1", kind: .group)
        try ids.recordIntent("u1", kind: .user)
        let made = try await sim.control("POST", "/_sim/admin/create_department", ["name": "Research", "parent": "1"])
        try await sim.control(
            "POST", "/_sim/admin/create_user", ["id": "u1", "name": "One", "mobile": "+86 13900000001", "departments": ["1"]])
        // Someone else's user with the userid a source user maps to.
        try await sim.control(
            "POST", "/_sim/admin/create_user", ["id": "u9", "name": "Not ours", "mobile": "+86 13900000009", "departments": ["1"]])

        let report = try await target.apply(
            ResourceOp.ordered([
                .create(.group, Self.group("g1", "Research")),
                .create(.user, Self.user("u1", "One", mobile: "+86 13900000001", title: "Lead")),
                .create(.user, Self.user("u9", "Nine", mobile: "+86 13900000019")),
                .addMember(groupID: "g1", userID: "u1"),
            ]))
        #expect(report.adopted == 2, "\(report)")
        #expect(report.refused.map(\.subject) == [.user("u9")], "\(report)")
        #expect(report.refused.first?.reason.contains("errcode 60102") == true)
        #expect(ids.entries[.group]?["g1"] == .mapped(made["id"]?.stringValue ?? "?"))
        #expect(ids.entries[.user]?["u1"] == .mapped("u1"))
        #expect(ids.entries[.user]?["u9"] == nil)
        let state = try await Self.state(sim)
        #expect(state.departments == ["Research|(root)"])
        #expect(state.users == ["u1|One|Research", "u9|Not ours|(root)"], "\(state)")
        #expect(state.userFields["u1"]?["title"] == "Lead")

        // The same batch again changes nothing.
        let before = try await sim.counts().perAPI
        let replay = try await target.apply(
            ResourceOp.ordered([
                .create(.group, Self.group("g1", "Research")),
                .create(.user, Self.user("u1", "One", mobile: "+86 13900000001", title: "Lead")),
                .addMember(groupID: "g1", userID: "u1"),
            ]))
        #expect(replay.applied == 0 && replay.refused.isEmpty, "\(replay)")
        let after = try await sim.counts().perAPI
        for api in ["dingtalk.oapi.v2.user.create", "dingtalk.oapi.v2.user.update", "dingtalk.oapi.v2.department.create"] {
            #expect(before[api] == after[api], "\(api) was called on an unchanged replay")
        }

        // A lost create followed by a change of the user, not by the create again: the pending
        // user is found by its userid and the change applies.
        try ids.recordIntent("u2", kind: .user)
        try await sim.control(
            "POST", "/_sim/admin/create_user", ["id": "u2", "name": "Two", "mobile": "+86 13900000002", "departments": ["1"]])
        let patched = try await target.apply([
            .patch(.user, id: "u2", [PatchOperation(op: .replace, path: try AttributePath.parse("title"), value: "Analyst")]),
            .addMember(groupID: "g1", userID: "u2"),
        ])
        #expect(patched.parked.isEmpty && patched.refused.isEmpty, "\(patched)")
        #expect(ids.entries[.user]?["u2"] == .mapped("u2"))
        let final = try await Self.state(sim)
        #expect(final.userFields["u2"]?["title"] == "Analyst")
        #expect(final.users.contains("u2|Two|Research"), "\(final)")
    }

    /// DingTalk unreachable fails the whole batch (the pipeline retries it); the create's
    /// intent stays recorded, so that the retry knows the user may be its own.
    @Test func anUnreachableDingTalkFailsTheBatch() async throws {
        let port = try TestServers.closedPort()
        let ids = MemoryDingTalkIDs()
        let client = DingTalkClient(
            baseURL: "http://127.0.0.1:\(port)", appKey: "dingx", appSecret: "secret-value", timeout: .seconds(5),
            logger: Logger(label: "test"))
        let target = DingTalkTarget(
            client: client, ids: ids, settings: DingTalkTargetConfig(appKey: "dingx", appSecret: "secret-value"), adopt: false,
            logger: Logger(label: "test"))
        await #expect(throws: DingTalkError.self) {
            _ = try await target.apply([.create(.user, Self.user("u1", "One", mobile: "+86 13900000001"))])
        }
        #expect(ids.entries[.user]?["u1"] == .pending)
    }

    /// A department is deleted children first, after scimsync's users are taken out of it.
    @Test func departmentsAreDeletedChildrenFirstOnceEmpty() async throws {
        let sim = try await DingTalkSim.start()
        let ids = MemoryDingTalkIDs()
        let target = Self.target(sim, ids: ids)
        _ = try await target.apply(
            ResourceOp.ordered([
                .create(.group, Self.group("p", "Parent")),
                .create(.group, Self.group("c", "Child")),
                .moveParent(groupID: "c", parentID: "p"),
                .create(.user, Self.user("u1", "One", mobile: "+86 13900000001")),
                .addMember(groupID: "c", userID: "u1"),
            ]))
        #expect(try await Self.state(sim).departments == ["Child|Parent", "Parent|(root)"])
        let report = try await target.apply([.delete(.group, id: "p"), .delete(.group, id: "c")])
        #expect(report.refused.isEmpty, "\(report)")
        let state = try await Self.state(sim)
        #expect(state.departments == [])
        #expect(state.users == ["u1|One|(root)"])
    }
}

/// `onDelete: deactivate` moves a user into the deactivated department alone (DingTalk has no
/// disabled state); reactivating takes it out; `check`'s probe names what is wrong.
@Suite struct DingTalkTargetDeactivationTests {
    @Test func deactivatedUsersLiveInTheirDepartmentAlone() async throws {
        let sim = try await DingTalkSim.start()
        let former = try await sim.control("POST", "/_sim/admin/create_department", ["name": "Former staff", "parent": "1"])
        let formerID = try #require(former["id"]?.stringValue.flatMap { Int64($0) })
        let ids = MemoryDingTalkIDs()
        let settings = DingTalkTargetConfig(
            appKey: sim.appKey, appSecret: sim.appSecret, baseURL: sim.baseURL, deactivatedDepartment: formerID)
        let client = DingTalkClient(baseURL: sim.baseURL, appKey: sim.appKey, appSecret: sim.appSecret, logger: Logger(label: "test"))
        let target = DingTalkTarget(client: client, ids: ids, settings: settings, adopt: false, logger: Logger(label: "test"))
        _ = try await target.apply(
            ResourceOp.ordered([
                .create(.group, DingTalkTargetTests.group("g1", "Research")),
                .create(.user, DingTalkTargetTests.user("u1", "One", mobile: "+86 13900000001")),
                .addMember(groupID: "g1", userID: "u1"),
            ]))
        #expect(try await DingTalkTargetTests.state(sim).users == ["u1|One|Research"])
        let deactivated = try await target.apply([.removeMember(groupID: "g1", userID: "u1"), .deactivate(userID: "u1")])
        #expect(deactivated.refused.isEmpty, "\(deactivated)")
        #expect(try await DingTalkTargetTests.state(sim).users == ["u1|One|Former staff"])
        _ = try await target.apply([.reactivate(userID: "u1"), .addMember(groupID: "g1", userID: "u1")])
        #expect(try await DingTalkTargetTests.state(sim).users == ["u1|One|Research"])

        let checks = await DingTalkTargetConnector(settings, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
        #expect(checks.map(\.status) == [.passed, .passed], "\(checks)")
        var missing = settings
        missing.deactivatedDepartment = 999
        let failed = await DingTalkTargetConnector(missing, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
        #expect(failed.last?.status == .failed && failed.last?.detail.contains("target.dingtalk.deactivatedDepartment") == true)
        var wrong = settings
        wrong.appSecret = "wrong-secret-2718"
        let refused = await DingTalkTargetConnector(wrong, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
        #expect(refused.map(\.status) == [.failed])
        #expect(refused.first?.detail.contains("errcode 40096") == true && refused.first?.detail.contains("wrong-secret") == false)
    }
}

/// A ``ChatTargetIDMap`` in memory, for tests of the target alone.
final class MemoryDingTalkIDs: ChatTargetIDMap {
    private let state = Mutex<[ResourceKind: [String: ChatTargetIDEntry]]>([:])

    var entries: [ResourceKind: [String: ChatTargetIDEntry]] { state.withLock { $0 } }

    func entry(_ sourceID: String, kind: ResourceKind) throws -> ChatTargetIDEntry? {
        state.withLock { $0[kind]?[sourceID] }
    }

    func recordIntent(_ sourceID: String, kind: ResourceKind) throws {
        state.withLock { if $0[kind]?[sourceID] == nil { $0[kind, default: [:]][sourceID] = .pending } }
    }

    func map(_ sourceID: String, to platformID: String, kind: ResourceKind) throws {
        state.withLock { $0[kind, default: [:]][sourceID] = .mapped(platformID) }
    }

    func forget(_ sourceID: String, kind: ResourceKind) throws {
        state.withLock { _ = $0[kind]?.removeValue(forKey: sourceID) }
    }

    func count(_ kind: ResourceKind) throws -> Int {
        state.withLock { $0[kind]?.count ?? 0 }
    }

    func sourceIDs(_ kind: ResourceKind) throws -> [String: String] {
        state.withLock { entries in
            var map: [String: String] = [:]
            for (sourceID, entry) in entries[kind] ?? [:] {
                if case .mapped(let platformID) = entry { map[platformID] = sourceID }
            }
            return map
        }
    }
}
