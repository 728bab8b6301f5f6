import Crypto

/// The `userid` a source user gets in WeCom. 创建成员: "成员UserID。对应管理端的账号，企业内必须唯一。
/// 长度为1~64个字节。只能由数字、字母和“_-@.”四种字符组成，且第一个字符必须是数字或字母。系统进行唯一性
/// 检查时会忽略大小写". The source id is used as it is when it follows that rule; any other id
/// becomes `s` and 40 hex digits of its SHA-256, the same on every run, so that a create whose
/// answer was lost meets 60102 on replay. Two source ids that differ in case only are one userid
/// to WeCom: the second is refused (60102) as a user scimsync did not create.
public enum WeComUserID {
    public static let maxLength = 64

    /// Whether `id` may be a WeCom userid as it is.
    public static func isValid(_ id: String) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= maxLength, isAlphanumeric(first) else { return false }
        return id.utf8.allSatisfy { byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "@")
        }
    }

    /// The userid for a source id.
    public static func forSourceID(_ id: String) -> String {
        if isValid(id) { return id }
        let hex = Array("0123456789abcdef")
        let digest = SHA256.hash(data: Array(id.utf8))
        return "s" + String(digest.prefix(20).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] })
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
