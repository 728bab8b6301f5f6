import SCIM

/// `meta.version` and the ETag (RFC 7644 §3.14): a weak validator computed from what the
/// resource holds, since a directory's tables have no version column. The same content gives
/// the same version across restarts and servers (FNV-1a over the resource's structure, not
/// Swift's per-process seeded hash), and any change of an attribute or a member gives another.
enum ResourceVersion {
    /// The version of `resource` without its `meta`.
    static func of(_ resource: SCIMResource) -> String {
        var hasher = FNV1a()
        for (key, value) in resource.attributes.members where key != "meta" {
            hasher.add(key)
            hasher.add(value)
        }
        let hex = String(hasher.hash, radix: 16)
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

/// 64-bit FNV-1a over a SCIM value's structure: every member name and scalar, with a tag
/// byte per kind so that `"1"` and `1`, or `[a, b]` and `[ab]`, differ. Walking the value
/// instead of hashing its JSON spares a serialisation per resource on every read.
struct FNV1a {
    private(set) var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(byte: UInt8) {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }

    mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte: byte) }
        add(byte: 0)
    }

    mutating func add(_ integer: UInt64) {
        var value = integer
        for _ in 0..<8 {
            add(byte: UInt8(truncatingIfNeeded: value))
            value >>= 8
        }
    }

    mutating func add(_ value: SCIMValue) {
        switch value {
        case .null:
            add(byte: 1)
        case .bool(let flag):
            add(byte: flag ? 2 : 3)
        case .integer(let number):
            add(byte: 4)
            add(UInt64(bitPattern: number))
        case .decimal(let number):
            add(byte: 5)
            add(number.bitPattern)
        case .string(let text):
            add(byte: 6)
            add(text)
        case .array(let elements):
            add(byte: 7)
            add(UInt64(elements.count))
            for element in elements { add(element) }
        case .object(let object):
            add(byte: 8)
            add(UInt64(object.count))
            for (key, member) in object.members {
                add(key)
                add(member)
            }
        }
    }
}
