import Config
import Directory
import SCIM

/// `target: { wecom: {...} }`: a WeCom (企业微信) corp written through the contact-sync
/// assistant's secret (通讯录同步 Secret, `contactSecret`): users and departments created,
/// updated, moved and deleted with `user/*` and `department/*`, memberships as each user's
/// `department` list, `onDelete: deactivate` as `enable` 0. What is there is read with the
/// self-built app's secret (`appSecret`): since 2022-08-15 the contact-sync secret may not read
/// members' fields (``WeComSecret``).
public struct WeComTargetConfig: KindSettings, CustomDebugStringConvertible {
    /// The corp's id (`ww…`, 企业ID).
    public var corpID: String
    /// The self-built app's Secret, which reads; arrives through `${VAR}` and is never printed.
    public var appSecret: String
    /// The contact-sync Secret, which writes; arrives through `${VAR}` and is never printed.
    public var contactSecret: String
    /// `https://qyapi.weixin.qq.com`.
    public var baseURL: String
    /// Where a user without a department of the source's goes: 创建成员 requires `department`.
    /// A WeCom department id; the root (1) by default.
    public var defaultDepartment: Int64
    /// SCIM paths of users written to WeCom member fields (`id` is the `userid`).
    public var users: AttributeMap
    /// SCIM paths of groups written to department fields (`id` is the department's `id`).
    public var groups: AttributeMap

    public static let root: Int64 = 1
    /// "部门id，32位整型" (创建部门).
    static let maxDepartmentID = Int(Int32.max)

    /// The member fields 创建成员 and 更新成员 take as text. `enable` is written from `active`.
    public static let userFields = ["name", "alias", "mobile", "position", "gender", "email", "telephone"]
    public static let departmentFields = ["name", "name_en"]

    /// What is written when `attributes` does not say: WeCom requires `name`, and a mobile or an
    /// e-mail (60129).
    public static let defaultUsers: [(String, String)] = [
        ("displayName", "name"), (#"phoneNumbers[type eq "work"].value"#, "mobile"),
        (#"emails[type eq "work"].value"#, "email"), ("title", "position"),
    ]
    public static let defaultGroups: [(String, String)] = [("displayName", "name")]

    public init(
        corpID: String, appSecret: String, contactSecret: String, baseURL: String = WeComSourceConfig.defaultBaseURL,
        defaultDepartment: Int64 = root, users: AttributeMap = WeComSourceConfig.map(defaultUsers, id: "userid"),
        groups: AttributeMap = WeComSourceConfig.map(defaultGroups, id: "id")
    ) {
        self.corpID = corpID
        self.appSecret = appSecret
        self.contactSecret = contactSecret
        self.baseURL = baseURL
        self.defaultDepartment = defaultDepartment
        self.users = users
        self.groups = groups
    }

    /// Both secrets, by what they are for: the app's reads, the contact-sync one writes.
    public var secrets: [WeComSecret: String] { [.app: appSecret, .contactSync: contactSecret] }

    /// The corp and the URL, never a secret.
    public var description: String { "wecom corp \(corpID) at \(baseURL)" }
    public var debugDescription: String {
        "WeComTargetConfig(corpID: \(corpID), baseURL: \(baseURL), defaultDepartment: \(defaultDepartment))"
    }

    /// WeCom as reconciliation reads it back: the mapped fields, `active` (from `status`),
    /// departments with their parents, memberships.
    public var targetLayout: DirectoryLayout? {
        var userEntries = users.entries
        if let active = try? AttributePath.parse("active") {
            userEntries.append(AttributeMap.Entry(pathText: "active", path: active, column: "enabled"))
        }
        return DirectoryLayout(
            users: UsersTable(table: "WeCom members", attributes: AttributeMap(userEntries)),
            groups: GroupsTable(table: "WeCom departments", attributes: groups, parent: "parentid"),
            membership: MembershipTable(table: "WeCom member departments", user: "userid", group: "department"))
    }

    /// The `wecom` target's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "wecom", role: .target,
        whyNoLayout: "the resources are written to WeCom's fields through target.wecom.attributes"
    ) { node in
        guard
            let map = node.mapping(allowed: ["corpId", "appSecret", "contactSecret", "baseURL", "defaultDepartment", "attributes"])
        else {
            return nil
        }
        let corpID = map.required("corpId", "the corp's ID (企业ID), e.g. ww5im0000000000001")?.nonEmptyString()
        let appSecret = secret(
            map.required(
                WeComSecret.app.key,
                "\(WeComSecret.app.role): the target reads what is there with it; from the environment: "
                    + "\"${\(WeComSecret.app.exampleVariable)}\""),
            .app)
        var contactSecret = secret(
            map.required(
                WeComSecret.contactSync.key,
                "\(WeComSecret.contactSync.role): every write needs it; from the environment: "
                    + "\"${\(WeComSecret.contactSync.exampleVariable)}\""),
            .contactSync)
        if let given = contactSecret, given == appSecret, let node = map[WeComSecret.contactSync.key] {
            node.report("is the same secret as appSecret: give \(WeComSecret.contactSync.role) here")
            contactSecret = nil
        }
        let baseURL = map["baseURL"].map { $0.httpURL() } ?? WeComSourceConfig.defaultBaseURL
        // A department id is a positive 32-bit number; the root is 1.
        let defaultDepartment = map["defaultDepartment"].map { $0.integer(in: 1...maxDepartmentID) } ?? Int(root)
        var users = WeComSourceConfig.map(defaultUsers, id: "userid")
        var groups = WeComSourceConfig.map(defaultGroups, id: "id")
        let attributesOK = PlatformBlock.attributes(map["attributes"], users: &users, groups: &groups) { node, groups in
            attributeMap(node, groups: groups)
        }
        guard let corpID, let appSecret, let contactSecret, let baseURL, let defaultDepartment, attributesOK else {
            return nil
        }
        return WeComTargetConfig(
            corpID: corpID, appSecret: appSecret, contactSecret: contactSecret, baseURL: baseURL,
            defaultDepartment: Int64(defaultDepartment), users: users, groups: groups)
    }

    /// A secret's value, which must come from the environment (`${VAR}`), never the file.
    private static func secret(_ node: ConfigNode?, _ kind: WeComSecret) -> String? {
        PlatformBlock.secret(node, key: kind.key, variable: kind.exampleVariable)
    }

    /// `{ scimPath: wecomField }`: the fields 创建成员 / 创建部门 take; `active` is always written
    /// as WeCom's `enable`.
    private static func attributeMap(_ node: ConfigNode, groups: Bool) -> AttributeMap? {
        let pairs = PlatformBlock.targetFields(
            node, platform: "WeCom", object: groups ? "department" : "member", idField: groups ? "department id" : "userid",
            allowed: groups ? departmentFields : userFields,
            pathProblem: { path in
                !groups && path == "active" ? "active is always written as WeCom's enable; remove this entry" : nil
            })
        return pairs.map { WeComSourceConfig.map($0, id: groups ? "id" : "userid") }
    }
}
