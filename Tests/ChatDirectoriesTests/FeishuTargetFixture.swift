import ChatDirectories
import Config
import Connectors
import Logging

/// Feishu's values for the shared chat target tests: scripts/feishu-sim, departments by the
/// tenant's own ids (the source ids), `code`s, and `is_frozen` as a user's disabled state.
struct FeishuTargetFixture: ChatTargetFixture {
    let feishu: FeishuSim

    static let platform = "Feishu"
    static let kind = "feishu"

    static func start() async throws -> FeishuTargetFixture {
        FeishuTargetFixture(feishu: try await FeishuSim.start())
    }

    var sim: any ChatPlatformSim { feishu }
    var secrets: [String] { [feishu.appSecret] }
    var exampleEnvironment: [String: String] {
        ["FEISHU_APP_ID": feishu.appID, "FEISHU_APP_SECRET": feishu.appSecret, "FEISHU_BASE_URL": feishu.baseURL]
    }

    var settings: FeishuTargetConfig {
        FeishuTargetConfig(appID: feishu.appID, appSecret: feishu.appSecret, baseURL: feishu.baseURL)
    }

    func target(ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest {
        let client = FeishuClient(
            baseURL: feishu.baseURL, appID: feishu.appID, appSecret: feishu.appSecret, keyPath: "target.feishu",
            logger: Logger(label: "test"))
        return FeishuTarget(client: client, ids: ids, settings: settings, adopt: false, logger: Logger(label: "test"))
    }

    func probe(_ variant: ProbeVariant) async -> [ConnectorCheck] {
        var settings = settings
        switch variant {
        case .asStarted: break
        case .missingDefaultDepartment: settings.defaultDepartment = "nowhere"
        case .wrongSecret: settings.appSecret = "wrong-secret-plugh"
        }
        return await FeishuTargetConnector(settings, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
    }

    static func unreachableTarget(baseURL: String, ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest {
        let client = FeishuClient(
            baseURL: baseURL, appID: "cli_x", appSecret: "secret-value", timeout: .seconds(5), logger: Logger(label: "test"))
        return FeishuTarget(
            client: client, ids: ids, settings: FeishuTargetConfig(appID: "cli_x", appSecret: "secret-value"), adopt: false,
            logger: Logger(label: "test"))
    }

    static func isPlatformError(_ error: any Error) -> Bool { error is FeishuError }

    static func userID(forSourceID sourceID: String) -> String { FeishuTargetID.forSourceID(sourceID) }
    static func isValidUserID(_ id: String) -> Bool { FeishuTargetID.isValid(id) }
    static let departmentIDsAreSourceIDs = true
    static let disablesUsers = true
    static let exampleDeactivates = false
    static let mobilesComeBackWithCountryCode = true
    static let codes = ChatTargetCodes(
        duplicateMobile: "code 41001", invalidDepartmentName: "code 43029", userIDTaken: "code 41011", wrongSecret: "code 10014")
    /// The path separator.
    static let invalidDepartmentName = "R/D"
    static let replayWriteAPIs = [
        "contact.v3.user.create", "contact.v3.user.patch", "contact.v3.department.create", "contact.v3.department.patch",
    ]
    static let replayRewritesUsers = false
    static let probeStatuses: [ProbeVariant: [ConnectorCheck.Status]] = [
        .asStarted: [.passed], .missingDefaultDepartment: [.passed, .failed], .wrongSecret: [.failed],
    ]

    static var configKind: ConfigKind { FeishuTargetConfig.configKind }
    static let configBlock = ChatTargetConfigBlock(
        appLine: "appId: cli_x", secretKeys: ["appSecret"], userFieldNoun: "Feishu user", userIDField: "user_id",
        titleField: "job_title", invalidDefaultDepartment: (value: "od-123", says: ": a department_id"),
        validOptions: "defaultDepartment: staff-pool\nemployeeType: 2", deactivateNeeds: [])
    static func isConnector(_ connector: any TargetConnector) -> Bool { connector is FeishuTargetConnector }
}
