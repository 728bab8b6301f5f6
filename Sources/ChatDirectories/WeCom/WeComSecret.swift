/// WeCom's two secrets of one corp, with different rights (全局错误码 48002: "写通讯录接口，只能由
/// 通讯录同步助手的access_token来调用"; 获取成员ID列表: "必须是通讯录编辑授权才可调用"):
///
/// - the self-built app's Secret reads its visible range: departments (`department/list`,
///   `department/simplelist`, `department/get`) and users with their fields (`user/list`,
///   `user/get`). Apps made after 2022-06-20 get no mobile, e-mail, gender, avatar or address.
/// - the contact-sync assistant's Secret (通讯录同步) writes, and alone lists user ids
///   (`user/list_id`); from an IP trusted since 2022-08-15 it may not read users' fields or
///   `department/list` at all, so it cannot read a directory by itself.
///
/// A source reads with the app's secret; a `wecom` target writes with the contact-sync secret
/// and reads what is there with the app's. Each secret has its own access token.
public enum WeComSecret: String, Sendable, Hashable, CaseIterable {
    case app
    case contactSync

    /// The configuration key that holds it.
    public var key: String {
        switch self {
        case .app: "appSecret"
        case .contactSync: "contactSecret"
        }
    }

    /// What it is and what needs it, for messages and `check`.
    public var role: String {
        switch self {
        case .app: "the self-built app's Secret (应用 Secret), which reads departments and users"
        case .contactSync: "the contact-sync Secret (通讯录同步 Secret), which writes departments and users"
        }
    }

    /// The environment variable the examples read it from.
    public var exampleVariable: String {
        switch self {
        case .app: "WECOM_APP_SECRET"
        case .contactSync: "WECOM_CONTACT_SECRET"
        }
    }
}
