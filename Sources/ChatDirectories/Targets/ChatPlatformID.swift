import Crypto

/// What the three platforms' rules for caller-chosen ids share: ASCII letters and digits, a
/// few punctuation characters, 64 bytes at most, and for any other source id one derived from
/// it, the same on every run (so that a create whose answer was lost meets the platform's
/// "already exists" on replay, not a second object).
enum ChatPlatformID {
    static let maxLength = 64

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// A letter, a digit, or one of `_-.@`, which every platform's rule allows.
    static func isIDByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "@")
    }

    /// `s` and 40 hex digits of the SHA-256 of `id`: within every platform's rule.
    static func derived(from id: String) -> String {
        let hex = Array("0123456789abcdef")
        let digest = SHA256.hash(data: Array(id.utf8))
        return "s" + String(digest.prefix(20).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] })
    }
}
