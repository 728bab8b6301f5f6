import Config
import Directory
import SCIM

/// `target: { dingtalk: {...} }`: a DingTalk organisation written through an enterprise
/// internal app's (企业内部应用) contact write permission: users and departments created,
/// updated, moved and deleted with the topapi endpoints, memberships as each user's
/// `dept_id_list`.
public struct DingTalkTargetConfig: KindSettings, CustomDebugStringConvertible {
    /// The app's AppKey (Client ID, `ding…`).
    public var appKey: String
    /// The app's AppSecret; arrives through `${VAR}` and is never printed.
    public var appSecret: String
    /// The old-style API's origin, `https://oapi.dingtalk.com`.
    public var baseURL: String
    /// Where a user without a department of the source's goes: DingTalk's user create requires
    /// a `dept_id_list`. A DingTalk `dept_id`; the root (1) by default.
    public var defaultDepartment: Int64
    /// Where `onDelete: deactivate` (and a source's `active` false) puts a user, alone: DingTalk
    /// has no disabled state. A DingTalk `dept_id` the administrators made for it; required
    /// under `onDelete: deactivate`.
    public var deactivatedDepartment: Int64?
    /// SCIM paths of users written to DingTalk user fields (`id` is the `userid`).
    public var users: AttributeMap
    /// SCIM paths of groups written to department fields (`id` is the `dept_id`).
    public var groups: AttributeMap

    public static let root: Int64 = 1
    /// A bound for a `dept_id` in the configuration (DingTalk's are positive 64-bit numbers).
    static let maxDepartmentID = 999_999_999_999_999

    /// The user fields the create and update endpoints take as text.
    public static let userFields = [
        "name", "mobile", "telephone", "job_number", "title", "email", "org_email", "work_place", "remark",
    ]
    public static let departmentFields = ["name"]

    /// What is written when `attributes` does not say: DingTalk requires `name` and `mobile`.
    public static let defaultUsers: [(String, String)] = [
        ("displayName", "name"), (#"phoneNumbers[type eq "work"].value"#, "mobile"),
        (#"emails[type eq "work"].value"#, "email"), ("title", "title"),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "job_number"),
    ]
    public static let defaultGroups: [(String, String)] = [("displayName", "name")]

    public init(
        appKey: String, appSecret: String, baseURL: String = DingTalkSourceConfig.defaultBaseURL,
        defaultDepartment: Int64 = root, deactivatedDepartment: Int64? = nil,
        users: AttributeMap = DingTalkSourceConfig.map(defaultUsers, id: "userid"),
        groups: AttributeMap = DingTalkSourceConfig.map(defaultGroups, id: "dept_id")
    ) {
        self.appKey = appKey
        self.appSecret = appSecret
        self.baseURL = baseURL
        self.defaultDepartment = defaultDepartment
        self.deactivatedDepartment = deactivatedDepartment
        self.users = users
        self.groups = groups
    }

    /// The app and the URL, never the secret.
    public var description: String { "dingtalk app \(appKey) at \(baseURL)" }
    public var debugDescription: String {
        "DingTalkTargetConfig(appKey: \(appKey), baseURL: \(baseURL), defaultDepartment: \(defaultDepartment), "
            + "deactivatedDepartment: \(deactivatedDepartment.map(String.init) ?? "none"))"
    }

    /// DingTalk as reconciliation reads it back: the mapped fields, `active` (false for a user
    /// in the deactivated department), departments with their parents, memberships.
    public var targetLayout: DirectoryLayout? {
        var userEntries = users.entries
        if let active = try? AttributePath.parse("active") {
            userEntries.append(AttributeMap.Entry(pathText: "active", path: active, column: DingTalkFields.listed))
        }
        return DirectoryLayout(
            users: UsersTable(table: "DingTalk users", attributes: AttributeMap(userEntries)),
            groups: GroupsTable(table: "DingTalk departments", attributes: groups, parent: "parent_id"),
            membership: MembershipTable(table: "DingTalk dept_id_list", user: "userid", group: "dept_id"))
    }

    /// The `dingtalk` target's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "dingtalk", role: .target,
        whyNoLayout: "the resources are written to DingTalk's fields through target.dingtalk.attributes"
    ) { node in
        guard
            let map = node.mapping(allowed: [
                "appKey", "appSecret", "baseURL", "defaultDepartment", "deactivatedDepartment", "attributes",
            ])
        else {
            return nil
        }
        let appKey = map.required("appKey", "the internal app's AppKey (Client ID), e.g. dingxxxxxxxxxxxxxxxx")?.nonEmptyString()
        let appSecret = PlatformBlock.secret(
            map.required("appSecret", "the app's AppSecret, from the environment: \"${DINGTALK_APP_SECRET}\""), key: "appSecret", variable: "DINGTALK_APP_SECRET")
        let baseURL = map["baseURL"].map { $0.httpURL() } ?? DingTalkSourceConfig.defaultBaseURL
        // DingTalk's dept_id is a positive number; the root is 1.
        let defaultDepartment = map["defaultDepartment"].map { $0.integer(in: 1...maxDepartmentID) } ?? Int(root)
        let deactivated = map["deactivatedDepartment"].map { $0.integer(in: 2...maxDepartmentID) } ?? .some(nil)
        var users = DingTalkSourceConfig.map(defaultUsers, id: "userid")
        var groups = DingTalkSourceConfig.map(defaultGroups, id: "dept_id")
        let attributesOK = PlatformBlock.attributes(
            map["attributes"], users: &users, groups: &groups, decode: attributeMap)
        guard let appKey, let appSecret, let baseURL, let defaultDepartment, let deactivated, attributesOK else {
            return nil
        }
        return DingTalkTargetConfig(
            appKey: appKey, appSecret: appSecret, baseURL: baseURL, defaultDepartment: Int64(defaultDepartment),
            deactivatedDepartment: deactivated.map(Int64.init), users: users, groups: groups)
    }

    /// `{ scimPath: dingtalkField }`: the fields DingTalk's create and update take.
    private static func attributeMap(_ node: ConfigNode, groups: Bool) -> AttributeMap? {
        let pairs = PlatformBlock.targetFields(
            node, platform: "DingTalk", object: groups ? "department" : "user", idField: groups ? "dept_id" : "userid",
            allowed: groups ? departmentFields : userFields)
        return pairs.map { DingTalkSourceConfig.map($0, id: groups ? "dept_id" : "userid") }
    }
}
