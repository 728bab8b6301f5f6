import ChatDirectories
import Config
import Connectors
import Logging

/// DingTalk's values for the shared chat target tests: scripts/dingtalk-sim, numeric `dept_id`s,
/// `errcode`s, and no disabled state (a deactivated user moves into a department of its own).
struct DingTalkTargetFixture: ChatTargetFixture {
    let dingtalk: DingTalkSim

    static let platform = "DingTalk"
    static let kind = "dingtalk"

    static func start() async throws -> DingTalkTargetFixture {
        DingTalkTargetFixture(dingtalk: try await DingTalkSim.start())
    }

    var sim: any ChatPlatformSim { dingtalk }
    var secrets: [String] { [dingtalk.appSecret] }
    var exampleEnvironment: [String: String] {
        ["DINGTALK_APP_KEY": dingtalk.appKey, "DINGTALK_APP_SECRET": dingtalk.appSecret, "DINGTALK_BASE_URL": dingtalk.baseURL]
    }

    var settings: DingTalkTargetConfig {
        DingTalkTargetConfig(appKey: dingtalk.appKey, appSecret: dingtalk.appSecret, baseURL: dingtalk.baseURL)
    }

    func target(ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest {
        target(ids: ids, settings: settings)
    }

    func target(ids: MemoryChatTargetIDs, settings: DingTalkTargetConfig) -> DingTalkTarget {
        let client = DingTalkClient(
            baseURL: settings.baseURL, appKey: settings.appKey, appSecret: settings.appSecret, keyPath: "target.dingtalk",
            logger: Logger(label: "test"))
        return DingTalkTarget(client: client, ids: ids, settings: settings, adopt: false, logger: Logger(label: "test"))
    }

    func probe(_ variant: ProbeVariant) async -> [ConnectorCheck] {
        var settings = settings
        switch variant {
        case .asStarted: break
        case .missingDefaultDepartment: settings.defaultDepartment = 999
        case .wrongSecret: settings.appSecret = "wrong-secret-plugh"
        }
        return await DingTalkTargetConnector(settings, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
    }

    static func unreachableTarget(baseURL: String, ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest {
        let client = DingTalkClient(
            baseURL: baseURL, appKey: "dingx", appSecret: "secret-value", timeout: .seconds(5), logger: Logger(label: "test"))
        return DingTalkTarget(
            client: client, ids: ids, settings: DingTalkTargetConfig(appKey: "dingx", appSecret: "secret-value"), adopt: false,
            logger: Logger(label: "test"))
    }

    static func isPlatformError(_ error: any Error) -> Bool { error is DingTalkError }

    static func userID(forSourceID sourceID: String) -> String { DingTalkUserID.forSourceID(sourceID) }
    static func isValidUserID(_ id: String) -> Bool { DingTalkUserID.isValid(id) }
    static let departmentIDsAreSourceIDs = false
    static let disablesUsers = false
    static let exampleDeactivates = false
    static let mobilesComeBackWithCountryCode = true
    static let codes = ChatTargetCodes(
        duplicateMobile: "errcode 60104", invalidDepartmentName: "errcode 60009", userIDTaken: "errcode 60102",
        wrongSecret: "errcode 40096")
    static let invalidDepartmentName = "R-and-D"
    static let replayWriteAPIs = [
        "dingtalk.oapi.v2.user.create", "dingtalk.oapi.v2.user.update", "dingtalk.oapi.v2.department.create",
        "dingtalk.oapi.v2.department.update",
    ]
    static let replayRewritesUsers = false
    static let probeStatuses: [ProbeVariant: [ConnectorCheck.Status]] = [
        .asStarted: [.passed], .missingDefaultDepartment: [.passed, .failed], .wrongSecret: [.failed],
    ]

    static var configKind: ConfigKind { DingTalkTargetConfig.configKind }
    static let configBlock = ChatTargetConfigBlock(
        appLine: "appKey: dingx", secretKeys: ["appSecret"], userFieldNoun: "DingTalk user", userIDField: "userid",
        titleField: "title", invalidDefaultDepartment: (value: "0", says: ": expected a whole number"),
        validOptions: "defaultDepartment: 42\ndeactivatedDepartment: 43", deactivateNeeds: ["deactivatedDepartment: 99"])
    static func isConnector(_ connector: any TargetConnector) -> Bool { connector is DingTalkTargetConnector }
}
