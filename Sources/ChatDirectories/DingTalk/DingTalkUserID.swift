/// The `userid` a source user gets in DingTalk. "创建用户": the userid is the caller's to
/// choose, unique in the organisation, 1 to 64 characters, and cannot be changed afterwards.
/// The source id is used as it is when it is made of ASCII letters, digits, `_`, `-`, `.` and
/// `@` (what DingTalk's own generated and administrator-given ids look like; other characters
/// are not documented as accepted); any other id becomes `s` and 40 hex digits of its SHA-256,
/// the same on every run, so that a create whose answer was lost meets 60102 on replay.
public enum DingTalkUserID {
    public static let maxLength = ChatPlatformID.maxLength

    /// Whether `id` may be a DingTalk userid as it is.
    public static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= maxLength else { return false }
        return id.utf8.allSatisfy(ChatPlatformID.isIDByte)
    }

    /// The userid for a source id.
    public static func forSourceID(_ id: String) -> String {
        isValid(id) ? id : ChatPlatformID.derived(from: id)
    }
}
