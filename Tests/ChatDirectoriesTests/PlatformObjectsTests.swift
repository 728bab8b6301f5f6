import ChatDirectories
import Config
import Connectors
import Logging
import Reconcile
import SCIM
import Testing

/// Each platform's one-object fetch (``PlatformObjects``) against its simulator: every user and
/// department of the fixture fetched by id maps to exactly what the full read maps (the same
/// resource, the same departments as memberships, the same parent), and what the platform no
/// longer has is gone.
@Suite struct PlatformObjectsTests {
    /// Every user and group of `read` fetched one by one equals the read's entry.
    static func expectSameAsFullRead(_ objects: any PlatformObjects, _ read: ChatDirectoryReader) async throws {
        let memberships = Dictionary(grouping: try read.members(), by: \.userID).mapValues { Set($0.map(\.groupID)) }
        #expect(try read.users().count == 23 && read.groups().count == 8)
        for user in try read.users() {
            guard case .found(let fetched) = try await objects.user(user.id) else {
                Issue.record("\(objects.platform) user \(user.id) should be found")
                continue
            }
            #expect(fetched.entry == user, "\(objects.platform) user \(user.id)")
            #expect(Set(fetched.departments) == memberships[user.id] ?? [], "\(objects.platform) user \(user.id)'s departments")
        }
        for group in try read.groups() {
            guard case .found(let fetched) = try await objects.department(group.id) else {
                Issue.record("\(objects.platform) department \(group.id) should be found")
                continue
            }
            #expect(fetched == group, "\(objects.platform) department \(group.id)")
        }
    }

    static func reader(_ snapshot: any SourceSnapshot) throws -> ChatDirectoryReader {
        try #require(snapshot.reader as? ChatDirectoryReader)
    }

    static func expectGone<T>(_ fetched: FetchedObject<T>, _ what: String) {
        guard case .gone = fetched else {
            Issue.record("\(what) should be gone, not \(fetched)")
            return
        }
    }

    @Test func dingTalkFetchesMapAsTheFullRead() async throws {
        let sim = try await DingTalkSim.start()
        try await sim.load(DingTalkDirectoryFixture.neutral)
        let (pipeline, _) = try DingTalkDirectoryFixture().pipeline(sim)
        let settings = try #require(pipeline.source.settings(DingTalkSourceConfig.self))
        let logger = Logger(label: "test")
        let read = try Self.reader(try await DingTalkConnector(settings, logger: logger).openSnapshot())
        let objects = DingTalkObjects(
            client: DingTalkClient(baseURL: sim.baseURL, appKey: sim.appKey, appSecret: sim.appSecret, logger: logger),
            settings: settings)
        try await Self.expectSameAsFullRead(objects, read)
        guard case .found(let root) = try await objects.user("u01") else { throw Unexpected("u01 should be found") }
        #expect(root.departments.isEmpty, "the root is no group")
        guard case .found(let east) = try await objects.department("8") else { throw Unexpected("8 should be found") }
        #expect(east.parentID == "7" && east.resource.attributes["displayName"] == .string("East \"Region\""))

        try await sim.control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        Self.expectGone(try await objects.user("u04"), "a deleted user")
        Self.expectGone(try await objects.user("nobody"), "an unknown user")
        Self.expectGone(try await objects.department("999"), "an unknown department")
        Self.expectGone(try await objects.department("1"), "the root")
    }

    @Test func weComFetchesMapAsTheFullRead() async throws {
        let sim = try await WeComSim.start()
        try await sim.load(WeComDirectoryFixture.neutral)
        let (pipeline, _) = try WeComDirectoryFixture().pipeline(sim)
        let settings = try #require(pipeline.source.settings(WeComSourceConfig.self))
        let logger = Logger(label: "test")
        let read = try Self.reader(try await WeComConnector(settings, logger: logger).openSnapshot())
        let objects = WeComObjects(
            client: WeComClient(baseURL: sim.baseURL, corpID: sim.corpID, secrets: settings.secrets, logger: logger),
            settings: settings)
        try await Self.expectSameAsFullRead(objects, read)
        guard case .found(let east) = try await objects.department("8") else { throw Unexpected("8 should be found") }
        #expect(east.parentID == "7")
        guard case .found(let top) = try await objects.department("2") else { throw Unexpected("2 should be found") }
        #expect(top.parentID == nil, "a department under the root is a top-level group")

        try await sim.control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        Self.expectGone(try await objects.user("u04"), "a deleted member")
        Self.expectGone(try await objects.department("999"), "an unknown department")
    }

    @Test func feishuFetchesMapAsTheFullRead() async throws {
        let sim = try await FeishuSim.start()
        try await sim.load(FeishuDirectoryFixture.neutral)
        let (pipeline, _) = try FeishuDirectoryFixture().pipeline(sim)
        let settings = try #require(pipeline.source.settings(FeishuSourceConfig.self))
        let logger = Logger(label: "test")
        let read = try Self.reader(try await FeishuConnector(settings, logger: logger).openSnapshot())
        let objects = FeishuObjects(
            client: FeishuClient(baseURL: sim.baseURL, appID: sim.appID, appSecret: sim.appSecret, logger: logger),
            settings: settings)
        try await Self.expectSameAsFullRead(objects, read)
        guard case .found(let two) = try await objects.user("u02") else { throw Unexpected("u02 should be found") }
        #expect(Set(two.departments) == ["eng-plat-db-ops-oncall", "sales-east"])

        try await sim.control("POST", "/_sim/admin/delete_user", ["id": "u04"])
        Self.expectGone(try await objects.user("u04"), "a deleted user")
        Self.expectGone(try await objects.department("nowhere"), "an unknown department")
    }
}

struct Unexpected: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
