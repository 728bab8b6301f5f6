import Crypto

/// The `user_id` or `department_id` a source resource gets in Feishu. Contact v3 lets the
/// caller choose both ("自定义用户ID" / "自定义部门ID"): a department's must match
/// `^[a-zA-Z0-9][a-zA-Z0-9_\-@.]{0,63}$` and not start with `od-` (the open department ids'
/// prefix), and neither can be `0` (the root department). The source id is used as it is when
/// it keeps that rule (users follow it too: Feishu documents no wider rule that every tenant
/// accepts); any other id becomes `s` and 40 hex digits of its SHA-256, the same on every run,
/// so that a create whose answer was lost meets "already exists" (41011, 43007) on replay.
public enum FeishuTargetID {
    public static let maxLength = 64

    /// Whether `id` may be a Feishu `user_id` or `department_id` as it is.
    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard let first = bytes.first, bytes.count <= maxLength, id != "0", !id.hasPrefix("od-") else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        guard alphanumeric(first) else { return false }
        return bytes.dropFirst().allSatisfy { byte in
            alphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
                || byte == UInt8(ascii: ".")
        }
    }

    /// The Feishu id for a source id.
    public static func forSourceID(_ id: String) -> String {
        if isValid(id) { return id }
        let digest = SHA256.hash(data: Array(id.utf8))
        let hex = Array("0123456789abcdef")
        return "s" + digest.prefix(20).map { byte in String([hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]) }.joined()
    }
}
