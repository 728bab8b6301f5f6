import Crypto

/// The `userid` a source user gets in DingTalk. "创建用户": the userid is the caller's to
/// choose, unique in the organisation, 1 to 64 characters, and cannot be changed afterwards.
/// The source id is used as it is when it is made of ASCII letters, digits, `_`, `-`, `.` and
/// `@` (what DingTalk's own generated and administrator-given ids look like; other characters
/// are not documented as accepted); any other id becomes `s` and 40 hex digits of its SHA-256,
/// the same on every run, so that a create whose answer was lost meets 60102 on replay.
public enum DingTalkUserID {
    public static let maxLength = 64

    /// Whether `id` may be a DingTalk userid as it is.
    public static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= maxLength else { return false }
        return id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "@")
        }
    }

    /// The userid for a source id.
    public static func forSourceID(_ id: String) -> String {
        if isValid(id) { return id }
        let digest = SHA256.hash(data: Array(id.utf8))
        return "s" + digest.prefix(20).map { byte in
            let hex = Array("0123456789abcdef")
            return String([hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }.joined()
    }
}
