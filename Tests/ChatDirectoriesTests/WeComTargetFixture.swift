import ChatDirectories
import Config
import Connectors
import Logging

/// WeCom's values for the shared chat target tests: scripts/wecom-sim, two secrets (the app's
/// reads, the contact-sync one writes), numeric department ids, `errcode`s, and `enable` as a
/// user's disabled state.
struct WeComTargetFixture: ChatTargetFixture {
    let wecom: WeComSim

    static let platform = "WeCom"
    static let kind = "wecom"

    static func start() async throws -> WeComTargetFixture {
        WeComTargetFixture(wecom: try await WeComSim.start())
    }

    var sim: any ChatPlatformSim { wecom }
    var secrets: [String] { [wecom.appSecret, wecom.contactSecret] }
    var exampleEnvironment: [String: String] {
        [
            "WECOM_CORP_ID": wecom.corpID, "WECOM_APP_SECRET": wecom.appSecret, "WECOM_CONTACT_SECRET": wecom.contactSecret,
            "WECOM_BASE_URL": wecom.baseURL,
        ]
    }

    var settings: WeComTargetConfig {
        WeComTargetConfig(
            corpID: wecom.corpID, appSecret: wecom.appSecret, contactSecret: wecom.contactSecret, baseURL: wecom.baseURL)
    }

    func target(ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest {
        let client = WeComClient(
            baseURL: settings.baseURL, corpID: settings.corpID, secrets: settings.secrets, keyPath: "target.wecom",
            logger: Logger(label: "test"))
        return WeComTarget(client: client, ids: ids, settings: settings, adopt: false, logger: Logger(label: "test"))
    }

    func probe(_ variant: ProbeVariant) async -> [ConnectorCheck] {
        var settings = settings
        switch variant {
        case .asStarted: break
        case .missingDefaultDepartment: settings.defaultDepartment = 999
        // The app's secret given as the contact-sync one: WeCom forbids it the contact-sync calls.
        case .wrongSecret: settings.contactSecret = wecom.appSecret
        }
        return await WeComTargetConnector(settings, adopt: false, ids: nil, logger: Logger(label: "test")).probe()
    }

    static func unreachableTarget(baseURL: String, ids: MemoryChatTargetIDs) -> any ChatTargetUnderTest {
        let settings = WeComTargetConfig(
            corpID: "wwx", appSecret: "app-secret-value", contactSecret: "contact-secret-value", baseURL: baseURL)
        let client = WeComClient(
            baseURL: settings.baseURL, corpID: settings.corpID, secrets: settings.secrets, timeout: .seconds(5),
            logger: Logger(label: "test"))
        return WeComTarget(client: client, ids: ids, settings: settings, adopt: false, logger: Logger(label: "test"))
    }

    static func isPlatformError(_ error: any Error) -> Bool { error is WeComError }

    static func userID(forSourceID sourceID: String) -> String { WeComUserID.forSourceID(sourceID) }
    static func isValidUserID(_ id: String) -> Bool { WeComUserID.isValid(id) }
    static let departmentIDsAreSourceIDs = false
    static let disablesUsers = true
    static let exampleDeactivates = true
    static let mobilesComeBackWithCountryCode = false
    static let codes = ChatTargetCodes(
        duplicateMobile: "errcode 60104", invalidDepartmentName: "errcode 60009", userIDTaken: "errcode 60102",
        wrongSecret: "errcode 48002")
    static let invalidDepartmentName = "R&D: labs"
    static let replayWriteAPIs = ["user/create", "department/create", "department/update"]
    static let replayRewritesUsers = true
    static let probeStatuses: [ProbeVariant: [ConnectorCheck.Status]] = [
        .asStarted: [.passed, .passed], .missingDefaultDepartment: [.passed, .failed, .passed], .wrongSecret: [.passed, .failed],
    ]

    static var configKind: ConfigKind { WeComTargetConfig.configKind }
    static let configBlock = ChatTargetConfigBlock(
        appLine: "corpId: wwx", secretKeys: ["appSecret", "contactSecret"], userFieldNoun: "WeCom member", userIDField: "userid",
        titleField: "position", invalidDefaultDepartment: (value: "0", says: ""),
        validOptions: "defaultDepartment: 42\nattributes: { groups: { displayName: name, externalId: name_en } }",
        deactivateNeeds: [])
    static func isConnector(_ connector: any TargetConnector) -> Bool { connector is WeComTargetConnector }
}
