import Config
import Directory
import SCIM

/// `source: { dingtalk: {...} }`: a DingTalk organisation's directory, read with an enterprise
/// internal app's (企业内部应用) credentials: departments one level at a time
/// (`topapi/v2/department/listsub`) and each department's users (`topapi/v2/user/list`).
public struct DingTalkSourceConfig: KindSettings, CustomDebugStringConvertible {
    /// The app's AppKey (Client ID, `ding…`).
    public var appKey: String
    /// The app's AppSecret (Client Secret); arrives through `${VAR}` and is never printed.
    public var appSecret: String
    /// The old-style API's origin, `https://oapi.dingtalk.com` (token and topapi endpoints).
    public var baseURL: String
    /// Seconds between full reads.
    public var intervalSeconds: Int
    /// Users asked for per `topapi/v2/user/list` page (DingTalk allows 1 to 100).
    public var pageSize: Int
    /// SCIM paths of users mapped to DingTalk user fields; `id` is always `userid`.
    public var users: AttributeMap
    /// SCIM paths of groups (departments) mapped to department fields; `id` is always
    /// `dept_id`.
    public var groups: AttributeMap
    /// The event subscription's token and aes_key, when its HTTP push is received
    /// (`callback:`); nil when only full reads run.
    public var callback: DingTalkCallbackConfig?

    public static let defaultBaseURL = "https://oapi.dingtalk.com"

    /// What is read when `attributes` does not say. `userName` is the `userid`: DingTalk's
    /// e-mail fields are optional, the userid is always there and unique in the organisation.
    /// `active` is `listed` (true): DingTalk lists its current members only, and its own `active`
    /// says whether the person has activated the DingTalk app, not whether the account may be
    /// used; a user who left is no longer listed, and `onDelete` decides what the target does.
    public static let defaultUsers: [(String, String)] = [
        ("userName", "userid"), ("displayName", "name"), ("name.formatted", "name"),
        (#"emails[type eq "work"].value"#, "email"), (#"phoneNumbers[type eq "work"].value"#, "mobile"),
        ("title", "title"), ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "job_number"),
        ("active", "listed"),
    ]
    public static let defaultGroups: [(String, String)] = [("displayName", "name")]

    public init(
        appKey: String, appSecret: String, baseURL: String = defaultBaseURL, intervalSeconds: Int = 3600,
        pageSize: Int = 100, users: AttributeMap = DingTalkSourceConfig.map(defaultUsers, id: "userid"),
        groups: AttributeMap = DingTalkSourceConfig.map(defaultGroups, id: "dept_id"), callback: DingTalkCallbackConfig? = nil
    ) {
        self.appKey = appKey
        self.appSecret = appSecret
        self.baseURL = baseURL
        self.intervalSeconds = intervalSeconds
        self.pageSize = pageSize
        self.users = users
        self.groups = groups
        self.callback = callback
    }

    /// The app and the URL, never the secret.
    public var description: String { "dingtalk app \(appKey) at \(baseURL)" }

    /// Departments have parents: a target's layout standing in for this source's keeps them.
    public var sourceGroupsHaveParents: Bool { true }

    public var debugDescription: String {
        "DingTalkSourceConfig(appKey: \(appKey), baseURL: \(baseURL), interval: \(intervalSeconds) s, pageSize: \(pageSize), "
            + "callback: \(callback == nil ? "not given" : "given"))"
    }

    /// `pairs` as an attribute map after `id` mapped to `id` (DingTalk's own id field).
    public static func map(_ pairs: [(String, String)], id: String) -> AttributeMap {
        PlatformBlock.map(pairs, id: id)
    }

    /// The `dingtalk` source's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "dingtalk", role: .source,
        whyNoLayout: "the directory is read as SCIM resources through source.dingtalk.attributes; the target's layout maps them"
    ) { node in
        guard let map = node.mapping(allowed: ["appKey", "appSecret", "baseURL", "interval", "pageSize", "attributes", "callback"])
        else {
            return nil
        }
        let appKey = map.required("appKey", "the internal app's AppKey (Client ID), e.g. dingxxxxxxxxxxxxxxxx")?.nonEmptyString()
        let appSecret = PlatformBlock.secret(
            map.required("appSecret", "the app's AppSecret, from the environment: \"${DINGTALK_APP_SECRET}\""), key: "appSecret", variable: "DINGTALK_APP_SECRET")
        let baseURL = map["baseURL"].map { $0.httpURL() } ?? defaultBaseURL
        let interval = map["interval"].map { $0.seconds(allowOff: false) } ?? .some(3600)
        let pageSize = map["pageSize"].map { $0.integer(in: 1...100) } ?? 100
        var users = Self.map(defaultUsers, id: "userid")
        var groups = Self.map(defaultGroups, id: "dept_id")
        let attributesOK = PlatformBlock.attributes(
            map["attributes"], users: &users, groups: &groups, decode: attributeMap)
        let callback = map["callback"].map { DingTalkCallbackConfig.decode($0) } ?? .some(nil)
        guard let appKey, let appSecret, let baseURL, let interval, let interval, let pageSize, attributesOK, let callback else {
            return nil
        }
        return DingTalkSourceConfig(
            appKey: appKey, appSecret: appSecret, baseURL: baseURL, intervalSeconds: interval, pageSize: pageSize,
            users: users, groups: groups, callback: callback)
    }

    /// `{ scimPath: dingtalkField }`: every path a SCIM path other than `id`, every field one
    /// of the kind's.
    private static func attributeMap(_ node: ConfigNode, groups: Bool) -> AttributeMap? {
        PlatformBlock.fields(
            node, idAdvice: "id is always DingTalk's \(groups ? "dept_id" : "userid")",
            emptyAdvice: "map at least one SCIM attribute to a DingTalk field, e.g. displayName: name"
        ) { DingTalkFields.problem($0, groups: groups) }
        .map { map($0, id: groups ? "dept_id" : "userid") }
    }
}
