import Config
import Directory
import SCIM

/// `source: { wecom: {...} }`: a WeCom (企业微信) corp's directory, read with a self-built app's
/// secret (`appSecret`); the contact-sync secret (`contactSecret`), which writes, is accepted
/// for symmetry with a `wecom` target and checked by `check`, but no read uses it (``WeComSecret``).
public struct WeComSourceConfig: KindSettings, CustomDebugStringConvertible {
    /// The corp's id (`ww…`, 企业ID).
    public var corpID: String
    /// The self-built app's Secret; arrives through `${VAR}` and is never printed.
    public var appSecret: String
    /// The contact-sync assistant's Secret, if given; arrives through `${VAR}`, never printed.
    public var contactSecret: String?
    /// `https://qyapi.weixin.qq.com`.
    public var baseURL: String
    /// Seconds between full reads.
    public var intervalSeconds: Int
    /// SCIM paths of users mapped to WeCom member fields; `id` is always `userid`.
    public var users: AttributeMap
    /// SCIM paths of groups (departments) mapped to department fields; `id` is always `id`.
    public var groups: AttributeMap
    /// The callback's Token and EncodingAESKey, when its events are received (`callback:`);
    /// nil when only full reads run.
    public var callback: WeComCallbackConfig?

    public static let defaultBaseURL = "https://qyapi.weixin.qq.com"

    /// What is read when `attributes` does not say. Mobile and e-mail are read only by apps made
    /// before 2022-06-20: for later apps they stay empty.
    public static let defaultUsers: [(String, String)] = [
        ("userName", "userid"), ("displayName", "name"), ("name.formatted", "name"),
        (#"emails[type eq "work"].value"#, "email"), (#"phoneNumbers[type eq "work"].value"#, "mobile"),
        ("title", "position"), ("active", "enabled"),
    ]
    public static let defaultGroups: [(String, String)] = [("displayName", "name")]

    public init(
        corpID: String, appSecret: String, contactSecret: String? = nil, baseURL: String = defaultBaseURL,
        intervalSeconds: Int = 3600, users: AttributeMap = WeComSourceConfig.map(defaultUsers, id: "userid"),
        groups: AttributeMap = WeComSourceConfig.map(defaultGroups, id: "id"), callback: WeComCallbackConfig? = nil
    ) {
        self.corpID = corpID
        self.appSecret = appSecret
        self.contactSecret = contactSecret
        self.baseURL = baseURL
        self.intervalSeconds = intervalSeconds
        self.users = users
        self.groups = groups
        self.callback = callback
    }

    /// The secrets given, by what they are for.
    public var secrets: [WeComSecret: String] {
        var given: [WeComSecret: String] = [.app: appSecret]
        if let contactSecret { given[.contactSync] = contactSecret }
        return given
    }

    /// The corp and the URL, never a secret.
    public var description: String { "wecom corp \(corpID) at \(baseURL)" }

    /// Departments have parents: a target's layout standing in for this source's keeps them.
    public var sourceGroupsHaveParents: Bool { true }

    public var debugDescription: String {
        "WeComSourceConfig(corpID: \(corpID), baseURL: \(baseURL), interval: \(intervalSeconds) s, "
            + "contactSecret: \(contactSecret == nil ? "not given" : "given"), "
            + "callback: \(callback == nil ? "not given" : "given"))"
    }

    /// `pairs` as an attribute map after `id` mapped to `id` (the object's own id field).
    public static func map(_ pairs: [(String, String)], id: String) -> AttributeMap {
        PlatformBlock.map(pairs, id: id)
    }

    /// The `wecom` source's block: its keys, defaults and checks.
    public static let configKind = ConfigKind(
        key: "wecom", role: .source,
        whyNoLayout: "the directory is read as SCIM resources through source.wecom.attributes; the target's layout maps them"
    ) { node in
        guard
            let map = node.mapping(allowed: ["corpId", "appSecret", "contactSecret", "baseURL", "interval", "attributes", "callback"])
        else { return nil }
        let corpID = map.required("corpId", "the corp's ID (企业ID), e.g. ww5im0000000000001")?.nonEmptyString()
        let appSecret = secret(
            map.required(
                WeComSecret.app.key,
                "\(WeComSecret.app.role): every read needs it; from the environment: "
                    + "\"${\(WeComSecret.app.exampleVariable)}\". The contact-sync Secret (contactSecret) writes and cannot "
                    + "read members' fields"),
            .app)
        var contactSecret: String??
        if let node = map[WeComSecret.contactSync.key] {
            contactSecret = secret(node, .contactSync).map { .some($0) }
            if let given = contactSecret, given == appSecret {
                node.report(
                    "is the same secret as appSecret: give \(WeComSecret.contactSync.role) here, or leave it out (reads "
                        + "do not need it)")
                contactSecret = nil
            }
        } else {
            contactSecret = .some(nil)
        }
        let baseURL = map["baseURL"].map { $0.httpURL() } ?? defaultBaseURL
        let interval = map["interval"].map { $0.seconds(allowOff: false) } ?? .some(3600)
        var users = Self.map(defaultUsers, id: "userid")
        var groups = Self.map(defaultGroups, id: "id")
        let attributesOK = PlatformBlock.attributes(
            map["attributes"], users: &users, groups: &groups, decode: attributeMap)
        let callback = map["callback"].map { WeComCallbackConfig.decode($0) } ?? .some(nil)
        guard let corpID, let appSecret, let contactSecret, let baseURL, let interval, let interval, attributesOK, let callback
        else {
            return nil
        }
        return WeComSourceConfig(
            corpID: corpID, appSecret: appSecret, contactSecret: contactSecret, baseURL: baseURL,
            intervalSeconds: interval, users: users, groups: groups, callback: callback)
    }

    /// A secret's value, which must come from the environment (`${VAR}`), never the file.
    private static func secret(_ node: ConfigNode?, _ kind: WeComSecret) -> String? {
        PlatformBlock.secret(node, key: kind.key, variable: kind.exampleVariable)
    }

    /// `{ scimPath: wecomField }`: every path a SCIM path other than `id`, every field one of
    /// the kind's.
    private static func attributeMap(_ node: ConfigNode, groups: Bool) -> AttributeMap? {
        PlatformBlock.fields(
            node, idAdvice: "id is always the \(groups ? "department's id" : "member's userid")",
            emptyAdvice: "map at least one SCIM attribute to a WeCom field, e.g. displayName: name"
        ) { WeComFields.problem($0, groups: groups) }
        .map { map($0, id: groups ? "id" : "userid") }
    }
}
