/// The `userid` a source user gets in WeCom. 创建成员: "成员UserID。对应管理端的账号，企业内必须唯一。
/// 长度为1~64个字节。只能由数字、字母和“_-@.”四种字符组成，且第一个字符必须是数字或字母。系统进行唯一性
/// 检查时会忽略大小写". The source id is used as it is when it follows that rule; any other id
/// becomes `s` and 40 hex digits of its SHA-256, the same on every run, so that a create whose
/// answer was lost meets 60102 on replay. Two source ids that differ in case only are one userid
/// to WeCom: the second is refused (60102) as a user scimsync did not create.
public enum WeComUserID {
    public static let maxLength = ChatPlatformID.maxLength

    /// Whether `id` may be a WeCom userid as it is.
    public static func isValid(_ id: String) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= maxLength, ChatPlatformID.isAlphanumeric(first) else { return false }
        return id.utf8.allSatisfy(ChatPlatformID.isIDByte)
    }

    /// The userid for a source id.
    public static func forSourceID(_ id: String) -> String {
        isValid(id) ? id : ChatPlatformID.derived(from: id)
    }
}
