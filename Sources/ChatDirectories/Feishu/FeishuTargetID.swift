/// The `user_id` or `department_id` a source resource gets in Feishu. Contact v3 lets the
/// caller choose both ("自定义用户ID" / "自定义部门ID"): a department's must match
/// `^[a-zA-Z0-9][a-zA-Z0-9_\-@.]{0,63}$` and not start with `od-` (the open department ids'
/// prefix), and neither can be `0` (the root department). The source id is used as it is when
/// it keeps that rule (users follow it too: Feishu documents no wider rule that every tenant
/// accepts); any other id becomes `s` and 40 hex digits of its SHA-256, the same on every run,
/// so that a create whose answer was lost meets "already exists" (41011, 43007) on replay.
public enum FeishuTargetID {
    public static let maxLength = ChatPlatformID.maxLength

    /// Whether `id` may be a Feishu `user_id` or `department_id` as it is.
    public static func isValid(_ id: String) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= maxLength, id != "0", !id.hasPrefix("od-"),
            ChatPlatformID.isAlphanumeric(first)
        else { return false }
        return id.utf8.allSatisfy(ChatPlatformID.isIDByte)
    }

    /// The Feishu id for a source id.
    public static func forSourceID(_ id: String) -> String {
        isValid(id) ? id : ChatPlatformID.derived(from: id)
    }
}
