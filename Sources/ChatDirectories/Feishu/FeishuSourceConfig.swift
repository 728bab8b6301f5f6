import Config
import Directory
import SCIM

/// `source: { feishu: {...} }`: a Feishu (Lark) tenant's directory, read with a custom app's
/// credentials (contact v3 departments and users).
public struct FeishuSourceConfig: KindSettings, CustomDebugStringConvertible {
    /// The app's `app_id` (`cli_…`).
    public var appID: String
    /// The app's `app_secret`; arrives through `${VAR}` and is never printed.
    public var appSecret: String
    /// `https://open.feishu.cn` (Lark: `https://open.larksuite.com`).
    public var baseURL: String
    /// Seconds between full reads.
    public var intervalSeconds: Int
    /// Items asked for per page (Feishu allows 1 to 50).
    public var pageSize: Int
    /// SCIM paths of users mapped to Feishu user fields; `id` is always `user_id`.
    public var users: AttributeMap
    /// SCIM paths of groups (departments) mapped to department fields; `id` is always
    /// `department_id`.
    public var groups: AttributeMap
    /// The Verification Token and Encrypt Key, when event subscriptions are received
    /// (`callback:`); nil when only full reads run.
    public var callback: FeishuCallbackConfig?

    public static let defaultBaseURL = "https://open.feishu.cn"

    /// What is read when `attributes` does not say.
    public static let defaultUsers: [(String, String)] = [
        ("userName", "email"), ("displayName", "name"), ("name.formatted", "name"),
        (#"emails[type eq "work"].value"#, "email"), (#"phoneNumbers[type eq "work"].value"#, "mobile"),
        ("title", "job_title"), ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "employee_no"),
        ("active", "!status.is_frozen"),
    ]
    public static let defaultGroups: [(String, String)] = [("displayName", "name")]

    public init(
        appID: String, appSecret: String, baseURL: String = defaultBaseURL, intervalSeconds: Int = 3600, pageSize: Int = 50,
        users: AttributeMap = FeishuSourceConfig.map(defaultUsers, id: "user_id"),
        groups: AttributeMap = FeishuSourceConfig.map(defaultGroups, id: "department_id"), callback: FeishuCallbackConfig? = nil
    ) {
        self.appID = appID
        self.appSecret = appSecret
        self.baseURL = baseURL
        self.intervalSeconds = intervalSeconds
        self.pageSize = pageSize
        self.users = users
        self.groups = groups
        self.callback = callback
    }

    /// The app and the URL, never the secret.
    public var description: String { "feishu app \(appID) at \(baseURL)" }

    /// Departments have parents: a target's layout standing in for this source's keeps them.
    public var sourceGroupsHaveParents: Bool { true }

    public var debugDescription: String {
        "FeishuSourceConfig(appID: \(appID), baseURL: \(baseURL), interval: \(intervalSeconds) s, pageSize: \(pageSize), "
            + "callback: \(callback == nil ? "not given" : "given"))"
    }

    /// `pairs` as an attribute map after `id` mapped to `id` (the tenant's own id field).
    public static func map(_ pairs: [(String, String)], id: String) -> AttributeMap {
        PlatformBlock.map(pairs, id: id)
    }

    /// The `feishu` source's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "feishu", role: .source,
        whyNoLayout: "the directory is read as SCIM resources through source.feishu.attributes; the target's layout maps them"
    ) { node in
        guard let map = node.mapping(allowed: ["appId", "appSecret", "baseURL", "interval", "pageSize", "attributes", "callback"])
        else {
            return nil
        }
        let appID = map.required("appId", "the custom app's App ID, e.g. cli_a1b2c3d4e5f6")?.nonEmptyString()
        let appSecret = PlatformBlock.secret(
            map.required("appSecret", "the app's App Secret, from the environment: \"${FEISHU_APP_SECRET}\""), key: "appSecret", variable: "FEISHU_APP_SECRET")
        let baseURL = map["baseURL"].map { $0.httpURL() } ?? defaultBaseURL
        let interval = map["interval"].map { $0.seconds(allowOff: false) } ?? .some(3600)
        let pageSize = map["pageSize"].map { $0.integer(in: 1...50) } ?? 50
        var users = Self.map(defaultUsers, id: "user_id")
        var groups = Self.map(defaultGroups, id: "department_id")
        let attributesOK = PlatformBlock.attributes(
            map["attributes"], users: &users, groups: &groups, decode: attributeMap)
        let callback = map["callback"].map { FeishuCallbackConfig.decode($0) } ?? .some(nil)
        guard let appID, let appSecret, let baseURL, let interval, let interval, let pageSize, attributesOK, let callback else {
            return nil
        }
        return FeishuSourceConfig(
            appID: appID, appSecret: appSecret, baseURL: baseURL, intervalSeconds: interval, pageSize: pageSize, users: users,
            groups: groups, callback: callback)
    }

    /// `{ scimPath: feishuField }`: every path a SCIM path other than `id`, every field one of
    /// the kind's.
    private static func attributeMap(_ node: ConfigNode, groups: Bool) -> AttributeMap? {
        PlatformBlock.fields(
            node,
            idAdvice: "id is always the tenant's own \(groups ? "department_id" : "user_id") (the ids Feishu's "
                + "department_id_type / user_id_type name)",
            emptyAdvice: "map at least one SCIM attribute to a Feishu field, e.g. displayName: name"
        ) { FeishuFields.problem($0, groups: groups) }
        .map { map($0, id: groups ? "department_id" : "user_id") }
    }
}
