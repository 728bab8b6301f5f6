import SCIM

/// `meta.version` and the ETag (RFC 7644 §3.14): a weak validator computed from what the
/// resource holds, since a directory's tables have no version column. The same content gives
/// the same version across restarts and servers (FNV-1a over the canonical JSON, not Swift's
/// per-process seeded hash), and any change of an attribute or a member gives another.
enum ResourceVersion {
    /// The version of `resource` without its `meta`.
    static func of(_ resource: SCIMResource) -> String {
        var attributes = resource.attributes
        attributes["meta"] = nil
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in SCIMValue.object(attributes).jsonBytes() {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "W/\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether an `If-Match` or `If-None-Match` header names `version`: `*`, or one of its
    /// comma-separated entity tags compared weakly (RFC 9110 §8.8.3.2: the `W/` prefix is
    /// ignored), as SCIM's weak versions require.
    static func header(_ header: String, matches version: String) -> Bool {
        let wanted = opaque(version)
        for tag in header.split(separator: ",") {
            let trimmed = tag.trimmingSpaces
            if trimmed == "*" || opaque(trimmed) == wanted { return true }
        }
        return false
    }

    private static func opaque(_ tag: some StringProtocol) -> Substring {
        let text = Substring(tag)
        return text.hasPrefix("W/") ? text.dropFirst(2) : text
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let start = firstIndex { $0 != " " && $0 != "\t" } ?? endIndex
        let end = lastIndex { $0 != " " && $0 != "\t" }.map { index(after: $0) } ?? start
        return String(self[start..<Swift.max(start, end)])
    }
}
