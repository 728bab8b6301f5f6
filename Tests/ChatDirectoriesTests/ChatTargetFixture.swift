import ChatDirectories
import Config
import Connectors
import Directory
import SCIM
import Testing

/// What differs between the DingTalk, WeCom and Feishu targets for the tests they share
/// (ChatTargetPipelineTests, ChatTargetBatchTests, ChatTargetProbeTests, ChatTargetConfigTests):
/// the three keep the same directory shape and batch logic (`ChatPlatformWriter`), and differ in
/// their simulator, their config block, their ids and their error codes. A conformance holds one
/// platform's values; the shared tests say what every platform must do with them.
protocol ChatTargetFixture: Sendable {
    /// The platform's name as its messages spell it ("DingTalk").
    static var platform: String { get }
    /// Its target block's key, which also names its simulator (`scripts/<kind>-sim`), its example
    /// (`config/<kind>-from-mariadb.yaml`) and the example's tables.
    static var kind: String { get }

    // MARK: The simulator

    /// Starts the platform's simulator with an app (and secrets) of the test's own.
    static func start() async throws -> Self
    var sim: any ChatPlatformSim { get }
    /// Every secret the simulator gave the test: no report, quarantine or check may quote one.
    var secrets: [String] { get }
    /// The environment the example reads the simulator's app from (its `${VAR}`s).
    var exampleEnvironment: [String: String] { get }
    /// The target alone, writing into the simulator, with its ids kept in `ids`.
    func target(ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest
    /// `scimsync check`'s probe of the simulator, with the settings `variant` says.
    func probe(_ variant: ProbeVariant) async -> [ConnectorCheck]

    /// The target against `baseURL`, where nothing answers.
    static func unreachableTarget(baseURL: String, ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest
    /// Whether `error` is the platform client's own error type (the batch fails with it).
    static func isPlatformError(_ error: any Error) -> Bool

    // MARK: Ids and codes

    /// The platform's user id for a source id: the source id where the platform takes it.
    static func userID(forSourceID sourceID: String) -> String
    static func isValidUserID(_ id: String) -> Bool
    /// Whether a department's platform id is the source id it was sent with (Feishu's tenant
    /// ids), rather than a number the platform picks (DingTalk, WeCom).
    static var departmentIDsAreSourceIDs: Bool { get }
    /// Whether a user has a disabled state the simulator shows as `active` (WeCom's `enable`,
    /// Feishu's `is_frozen`); DingTalk has none and moves the user into a department instead.
    static var disablesUsers: Bool { get }
    /// Whether the example maps the source's `active` column and deactivates a deleted user
    /// (`onDelete: deactivate`) rather than deleting it.
    static var exampleDeactivates: Bool { get }
    /// Whether a mainland mobile written without its country code ("13800000002") comes back
    /// with it ("+86 13800000002"); WeCom keeps it as written.
    static var mobilesComeBackWithCountryCode: Bool { get }
    static var codes: ChatTargetCodes { get }
    /// A department name with a character the platform forbids.
    static var invalidDepartmentName: String { get }
    /// The platform's API names (as the simulator counts them) that write users or departments
    /// and that an unchanged replay must not call.
    static var replayWriteAPIs: [String] { get }
    /// Whether an unchanged replay writes each user again (counted as applied): WeCom's app is
    /// not given the mobile, so the target cannot see that nothing changed.
    static var replayRewritesUsers: Bool { get }
    /// The probe's statuses for each ``ProbeVariant``, in its order.
    static var probeStatuses: [ProbeVariant: [ConnectorCheck.Status]] { get }

    // MARK: The config block

    static var configKind: ConfigKind { get }
    static var configBlock: ChatTargetConfigBlock { get }
    /// Whether `connector` is the platform's target connector.
    static func isConnector(_ connector: any TargetConnector) -> Bool
}

/// The error codes a platform refuses objects with, as reports and quarantines quote them.
struct ChatTargetCodes: Sendable {
    /// A user whose mobile is another user's.
    var duplicateMobile: String
    /// A department whose name has a character the platform forbids.
    var invalidDepartmentName: String
    /// A user create whose user id a user scimsync never sent already has.
    var userIDTaken: String
    /// A probe with a secret the platform refuses.
    var wrongSecret: String
}

/// A platform's target block as the config tests write it.
struct ChatTargetConfigBlock: Sendable {
    /// The line naming the app or corp ("appKey: dingx").
    var appLine: String
    /// The keys of the secrets the block needs, each from the environment.
    var secretKeys: [String]
    /// How the platform's error about an unwritable user field names it ("DingTalk user").
    var userFieldNoun: String
    /// The platform's field for the user id and for the title.
    var userIDField: String
    var titleField: String
    /// A `defaultDepartment` the platform cannot have, and what the error says after its key path.
    var invalidDefaultDepartment: (value: String, says: String)
    /// Options beyond the secrets that the block accepts.
    var validOptions: String
    /// The lines `onDelete: deactivate` needs beyond the secrets.
    var deactivateNeeds: [String]
}

/// The settings a probe runs with.
enum ProbeVariant: Sendable, Hashable, CaseIterable {
    /// As the simulator was started.
    case asStarted
    /// A `defaultDepartment` the platform does not have.
    case missingDefaultDepartment
    /// A secret the platform refuses.
    case wrongSecret
}

extension ChatTargetPlatform: CustomTestStringConvertible {
    /// The platform's values for the shared target tests.
    var fixture: any ChatTargetFixture.Type {
        switch self {
        case .dingtalk: DingTalkTargetFixture.self
        case .wecom: WeComTargetFixture.self
        case .feishu: FeishuTargetFixture.self
        }
    }

    var testDescription: String { fixture.platform }

    /// The platforms whose users have a disabled state.
    static let disablingUsers = allCases.filter { $0.fixture.disablesUsers }
}

/// A platform simulator's control API, as the shared tests use it.
protocol ChatPlatformSim: Sendable {
    var baseURL: String { get }
    @discardableResult
    func control(_ method: String, _ path: String, _ body: SCIMValue?) async throws -> SCIMObject
    func counts() async throws -> (perAPI: [String: Int], tokensIssued: Int, rateLimited: Int)
}

extension DingTalkSim: ChatPlatformSim {}
extension WeComSim: ChatPlatformSim {}
extension FeishuSim: ChatPlatformSim {}

/// A platform target's batch entry point, the one thing the shared tests call on it.
protocol ChatTargetUnderTest: Sendable {
    func apply(_ ops: [ResourceOp]) async throws -> ChatTargetReport
}

extension DingTalkTarget: ChatTargetUnderTest {}
extension WeComTarget: ChatTargetUnderTest {}
extension FeishuTarget: ChatTargetUnderTest {}

extension ChatTargetFixture {
    /// The simulator's directory now.
    func state() async throws -> SimState {
        SimState(try await sim.control("GET", "/_sim/state", nil))
    }
}

/// A simulator's directory as `GET /_sim/state` shows it (the three simulators answer alike,
/// the root department as "1"): departments as `name|parent name`, users as
/// `id|name|department names`, sorted.
struct SimState: Equatable, CustomStringConvertible {
    var departments: [String]
    var users: [String]
    var userFields: [String: SCIMObject] = [:]
    /// Department ids by name, the root's "(root)".
    var departmentIDs: [String: String] = [:]

    var description: String { "departments \(departments), users \(users)" }

    init(departments: [String], users: [String]) {
        self.departments = departments
        self.users = users
    }

    init(_ answer: SCIMObject) {
        var names: [String: String] = ["1": "(root)"]
        let departments = answer["departments"]?.arrayValue?.compactMap(\.objectValue) ?? []
        for department in departments {
            if let id = department["id"]?.stringValue, let name = department["name"]?.stringValue, id != "1" { names[id] = name }
        }
        for (id, name) in names { departmentIDs[name] = id }
        self.departments = departments.compactMap { department -> String? in
            guard let id = department["id"]?.stringValue, id != "1" else { return nil }
            return "\(names[id] ?? "?")|\(names[department["parent"]?.stringValue ?? ""] ?? "?")"
        }.sorted()
        var fields: [String: SCIMObject] = [:]
        users = (answer["users"]?.arrayValue?.compactMap(\.objectValue) ?? []).map { user -> String in
            let id = user["id"]?.stringValue ?? "?"
            fields[id] = user
            let departments = (user["departments"]?.arrayValue ?? []).compactMap(\.stringValue).map { names[$0] ?? "?" }.sorted()
            return "\(id)|\(user["name"]?.stringValue ?? "")|\(departments.joined(separator: ","))"
        }.sorted()
        userFields = fields
    }
}

/// The SCIM resources the batch tests send.
enum ChatTargetResources {
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

    /// User u1 ("One") in department g1 ("Research"), both created.
    static var oneUserInResearch: [ResourceOp] {
        ResourceOp.ordered([
            .create(.group, group("g1", "Research")),
            .create(.user, user("u1", "One", mobile: "+86 13900000001")),
            .addMember(groupID: "g1", userID: "u1"),
        ])
    }
}
