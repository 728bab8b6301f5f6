import Config
import Directory
import SCIM

/// `target: { feishu: {...} }`: a Feishu (Lark) tenant written through a custom app's contact
/// write permission (contact v3): users and departments created, updated, moved and deleted by
/// the tenant's own ids (`user_id`, `department_id`), memberships as each user's
/// `department_ids`, deactivation as `is_frozen`.
public struct FeishuTargetConfig: KindSettings, CustomDebugStringConvertible {
    /// The app's `app_id` (`cli_…`).
    public var appID: String
    /// The app's `app_secret`; arrives through `${VAR}` and is never printed.
    public var appSecret: String
    /// `https://open.feishu.cn` (Lark: `https://open.larksuite.com`).
    public var baseURL: String
    /// Where a user without a department of the source's goes: "创建用户" requires
    /// `department_ids`. A `department_id`; the root `0` by default.
    public var defaultDepartment: String
    /// The `employee_type` every created user gets ("创建用户" requires it): 1 regular (正式),
    /// 2 intern, 3 outsourced, 4 contractor, 5 consultant, or a tenant's own type.
    public var employeeType: Int
    /// SCIM paths of users written to Feishu user fields (`id` is the `user_id`).
    public var users: AttributeMap
    /// SCIM paths of groups written to department fields (`id` is the `department_id`).
    public var groups: AttributeMap

    /// Feishu's root department, in both id types.
    public static let root = "0"

    /// The user fields the create and patch endpoints take as text.
    public static let userFields = ["name", "en_name", "email", "mobile", "job_title", "employee_no", "city"]
    public static let departmentFields = ["name"]

    /// What is written when `attributes` does not say: Feishu requires `name`, and `mobile`
    /// unless the tenant lets users sign in by e-mail (then `email`).
    public static let defaultUsers: [(String, String)] = [
        ("displayName", "name"), (#"phoneNumbers[type eq "work"].value"#, "mobile"),
        (#"emails[type eq "work"].value"#, "email"), ("title", "job_title"),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "employee_no"),
    ]
    public static let defaultGroups: [(String, String)] = [("displayName", "name")]

    public init(
        appID: String, appSecret: String, baseURL: String = FeishuSourceConfig.defaultBaseURL, defaultDepartment: String = root,
        employeeType: Int = 1, users: AttributeMap = FeishuSourceConfig.map(defaultUsers, id: "user_id"),
        groups: AttributeMap = FeishuSourceConfig.map(defaultGroups, id: "department_id")
    ) {
        self.appID = appID
        self.appSecret = appSecret
        self.baseURL = baseURL
        self.defaultDepartment = defaultDepartment
        self.employeeType = employeeType
        self.users = users
        self.groups = groups
    }

    /// The app and the URL, never the secret.
    public var description: String { "feishu app \(appID) at \(baseURL)" }
    public var debugDescription: String {
        "FeishuTargetConfig(appID: \(appID), baseURL: \(baseURL), defaultDepartment: \(defaultDepartment), "
            + "employeeType: \(employeeType))"
    }

    /// Feishu as reconciliation reads it back: the mapped fields, `active` (not `is_frozen`),
    /// departments with their parents, memberships.
    public var targetLayout: DirectoryLayout? {
        var userEntries = users.entries
        if let active = try? AttributePath.parse("active") {
            userEntries.append(AttributeMap.Entry(pathText: "active", path: active, column: "!status.is_frozen"))
        }
        return DirectoryLayout(
            users: UsersTable(table: "Feishu users", attributes: AttributeMap(userEntries)),
            groups: GroupsTable(table: "Feishu departments", attributes: groups, parent: "parent_department_id"),
            membership: MembershipTable(table: "Feishu department_ids", user: "user_id", group: "department_id"))
    }

    /// The `feishu` target's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "feishu", role: .target,
        whyNoLayout: "the resources are written to Feishu's fields through target.feishu.attributes"
    ) { node in
        guard
            let map = node.mapping(allowed: ["appId", "appSecret", "baseURL", "defaultDepartment", "employeeType", "attributes"])
        else {
            return nil
        }
        let appID = map.required("appId", "the custom app's App ID, e.g. cli_a1b2c3d4e5f6")?.nonEmptyString()
        let secretNode = map.required("appSecret", "the app's App Secret, from the environment: \"${FEISHU_APP_SECRET}\"")
        var appSecret = secretNode?.nonEmptyString()
        if let secretNode, appSecret != nil, secretNode.literal?.contains("${") != true {
            secretNode.report("give the secret through the environment, e.g. appSecret: \"${FEISHU_APP_SECRET}\", not in the file")
            appSecret = nil
        }
        let baseURL = map["baseURL"].map { $0.httpURL() } ?? FeishuSourceConfig.defaultBaseURL
        var defaultDepartment: String? = root
        if let node = map["defaultDepartment"] {
            defaultDepartment = node.nonEmptyString()
            if let given = defaultDepartment, given != root, !FeishuTargetID.isValid(given) {
                node.report("a department_id (letters, digits, _ - @ ., not starting with od-) or \"0\" for the root")
                defaultDepartment = nil
            }
        }
        let employeeType = map["employeeType"].map { $0.integer(in: 1...1000) } ?? 1
        var users = FeishuSourceConfig.map(defaultUsers, id: "user_id")
        var groups = FeishuSourceConfig.map(defaultGroups, id: "department_id")
        var attributesOK = true
        if let attributes = map["attributes"] {
            if let kinds = attributes.mapping(allowed: ["users", "groups"]) {
                if let node = kinds["users"] {
                    if let decoded = attributeMap(node, groups: false) { users = decoded } else { attributesOK = false }
                }
                if let node = kinds["groups"] {
                    if let decoded = attributeMap(node, groups: true) { groups = decoded } else { attributesOK = false }
                }
            } else {
                attributesOK = false
            }
        }
        guard let appID, let appSecret, let baseURL, let defaultDepartment, let employeeType, attributesOK else { return nil }
        return FeishuTargetConfig(
            appID: appID, appSecret: appSecret, baseURL: baseURL, defaultDepartment: defaultDepartment,
            employeeType: employeeType, users: users, groups: groups)
    }

    /// `{ scimPath: feishuField }`: the fields Feishu's create and patch take.
    private static func attributeMap(_ node: ConfigNode, groups: Bool) -> AttributeMap? {
        let pairs = PlatformBlock.targetFields(
            node, platform: "Feishu", object: groups ? "department" : "user", idField: groups ? "department_id" : "user_id",
            allowed: groups ? departmentFields : userFields)
        return pairs.map { FeishuSourceConfig.map($0, id: groups ? "department_id" : "user_id") }
    }
}
