/// The bearer token of an `Authorization` header, and its comparison with the expected one,
/// for every server of scimsync that takes a token.
public enum BearerCredentials {
    /// The token of a Bearer `Authorization` value: `credentials = "Bearer" 1*SP b64token`
    /// (RFC 6750 §2.1), the scheme's name in any case (RFC 9110 §11.1: "case-insensitive");
    /// nil for another scheme or no token.
    public static func token(in header: String) -> [UInt8]? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count + 1, bytes[scheme.count] == UInt8(ascii: " ") else { return nil }
        for (index, letter) in scheme.enumerated() where bytes[index] | 0x20 != letter { return nil }
        let token = bytes[(scheme.count + 1)...].drop { $0 == UInt8(ascii: " ") }
        return token.isEmpty ? nil : Array(token)
    }

    /// Whether `header` carries `expected` as its bearer token. Every byte is compared
    /// whatever the earlier ones were, so response timing does not reveal how much of a
    /// guessed token was right; the length is not secret.
    public static func matches(_ header: String, _ expected: [UInt8]) -> Bool {
        guard let presented = token(in: header) else { return false }
        return constantTimeEquals(presented, expected)
    }

    /// Whether `a` and `b` are equal, comparing every byte whatever the earlier ones were.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
