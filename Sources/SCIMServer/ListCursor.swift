import Crypto
import Directory
import Foundation
import SCIM
import Targets

/// A cursor of RFC 9865: where the next (or previous) page of a list starts, as an opaque
/// string the client hands back.
///
/// The cursor holds a keyset position (the sort key and id of the row next to the page) and a
/// digest of the query it belongs to, as URL-safe base64 of a small JSON object, followed by
/// `.` and an HMAC-SHA256 tag over it (``CursorKey``). Nothing is kept on the server: a
/// cursor costs no memory, never expires and stays valid across restarts ("Cursor mechanisms
/// must be designed in a manner that avoids any additional consumption of service provider
/// resources", RFC 9865 §6.3). The tag makes every cursor one this server issued: an edited
/// one is refused before its content is read, so a position always holds values read from the
/// database (an id the id column holds, a sort key of the sort column's type).
struct ListCursor: Sendable, Hashable {
    private static let version: Int64 = 1
    /// Bytes of the HMAC-SHA256 tag kept in the cursor: 128 bits are beyond guessing and keep
    /// cursors short.
    private static let tagLength = 16

    var position: KeysetPosition
    /// ``ListCursor/digest(kind:filter:sortBy:descending:)`` of the query it was issued for.
    var query: UInt64

    /// The cursor's text, signed with `key`: only RFC 3986 unreserved characters (RFC 9865 §2).
    func text(signedWith key: CursorKey) -> String {
        var object: SCIMObject = [
            "v": .integer(Self.version), "q": .string(String(query, radix: 16)), "i": .string(position.id),
        ]
        if position.backward { object["b"] = true }
        if let key = position.sortKey { object["k"] = Self.encode(key) }
        let payload = Self.base64URL(object.jsonBytes())
        return payload + "." + Self.base64URL(key.tag(Array(payload.utf8)).prefix(Self.tagLength))
    }

    init(position: KeysetPosition, query: UInt64) {
        self.position = position
        self.query = query
    }

    /// Reads a cursor issued for the query `query`.
    /// - Throws: 400 `invalidCursor` for text this server did not issue, or issued for
    ///   another query (a different filter, sort or resource type): RFC 9865 §2 asks for the
    ///   same query parameters on every page.
    init(text: String, query: UInt64, key: CursorKey) throws(SCIMError) {
        let invalid = SCIMError.badRequest(
            .invalidCursor,
            "the cursor is not one this server issued: send an empty cursor for the first page, then the nextCursor or previousCursor of the page before")
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        // No length limit of its own: a cursor holds the sort value of a row, however long,
        // and the server must read back every cursor it issues. The request's limits (the
        // request line, the body) bound it, and the tag is checked before anything is decoded.
        guard parts.count == 2,
            parts.allSatisfy({ $0.allSatisfy(Self.isBase64URL) }),
            let tag = Self.bytes(base64URL: Substring(parts[1])), tag.count == Self.tagLength,
            Self.constantTimeEqual(tag, key.tag(Array(parts[0])).prefix(Self.tagLength))
        else { throw invalid }
        guard let payload = Self.bytes(base64URL: Substring(parts[0])),
            let value = try? SCIMValue(json: payload, maximumDepth: 4), let object = value.objectValue,
            object["v"] == .integer(Self.version),
            let digestText = object["q"]?.stringValue, let digest = UInt64(digestText, radix: 16),
            let id = object["i"]?.stringValue
        else { throw invalid }
        guard digest == query else {
            throw .badRequest(
                .invalidCursor,
                "the cursor belongs to another query: send the same filter, sortBy and sortOrder on every page, or start again with an empty cursor")
        }
        var sortKey: SQLValue?
        if let encoded = object["k"] {
            guard let key = Self.decode(encoded) else { throw invalid }
            sortKey = key
        }
        position = KeysetPosition(sortKey: sortKey, id: id, backward: object["b"] == true)
        self.query = query
    }

    /// A stable digest of what decides a list's order and content (FNV-1a, 64 bits): the
    /// same in every process, so cursors outlive restarts. Not a secret: it only tells a
    /// cursor of another query from one of this query.
    static func digest(kind: ResourceKind, filter: Filter?, sortBy: AttributePath?, descending: Bool) -> UInt64 {
        let canonical = [
            kind.rawValue, filter?.description ?? "", sortBy?.description.lowercased() ?? "", descending ? "d" : "a",
        ].joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonical.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    private static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func bytes(base64URL text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }

    /// Compares every byte whatever the first difference, so that the time taken tells a
    /// forger nothing about how much of a tag was right.
    private static func constantTimeEqual(_ a: [UInt8], _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    // MARK: Sort keys

    /// A sort key as `[tag, value]`, so that it binds back as the same SQL type.
    private static func encode(_ value: SQLValue) -> SCIMValue {
        switch value {
        case .null: return ["n"]
        case .bool(let b): return ["b", .bool(b)]
        case .int(let n): return ["i", .integer(n)]
        case .uint(let n): return ["u", .string(String(n))]
        case .double(let d): return ["f", .string(d.description)]
        case .decimal(let text): return ["d", .string(text)]
        case .text(let text): return ["s", .string(text)]
        case .json(let text): return ["j", .string(text)]
        case .bytes(let bytes): return ["x", .string(Data(bytes).base64EncodedString())]
        case .bits(let bits, let width): return ["t", .string(String(bits)), .integer(Int64(width))]
        case .date(let d): return ["D", .integer(Int64(d.year)), .integer(Int64(d.month)), .integer(Int64(d.day))]
        case .time(let t):
            return [
                "T", .bool(t.negative), .integer(Int64(t.hours)), .integer(Int64(t.minutes)),
                .integer(Int64(t.seconds)), .integer(Int64(t.microseconds)),
            ]
        case .dateTime(let t): return .array([.string("W")] + dateTimeParts(t))
        case .timestamp(let t): return .array([.string("Z")] + dateTimeParts(t))
        }
    }

    private static func dateTimeParts(_ t: SQLDateTime) -> [SCIMValue] {
        [t.date.year, t.date.month, t.date.day, t.hour, t.minute, t.second, t.microsecond].map { .integer(Int64($0)) }
    }

    private static func decode(_ encoded: SCIMValue) -> SQLValue? {
        guard let parts = encoded.arrayValue, let tag = parts.first?.stringValue else { return nil }
        let rest = Array(parts.dropFirst())
        let integers = rest.compactMap { value -> Int? in
            if case .integer(let n) = value { return Int(exactly: n) }
            return nil
        }
        let text = rest.first?.stringValue
        switch (tag, rest.count) {
        case ("n", 0): return .null
        case ("b", 1): return rest[0].boolValue.map(SQLValue.bool)
        case ("i", 1):
            if case .integer(let n) = rest[0] { return .int(n) }
            return nil
        case ("u", 1): return text.flatMap { UInt64($0) }.map(SQLValue.uint)
        case ("f", 1): return text.flatMap { Double($0) }.map(SQLValue.double)
        case ("d", 1): return text.map(SQLValue.decimal)
        case ("s", 1): return text.map(SQLValue.text)
        case ("j", 1): return text.map(SQLValue.json)
        case ("x", 1): return text.flatMap { Data(base64Encoded: $0) }.map { .bytes([UInt8]($0)) }
        case ("t", 2):
            guard let bits = text.flatMap({ UInt64($0) }), integers.count == 1 else { return nil }
            return .bits(bits, width: integers[0])
        case ("D", 3) where integers.count == 3:
            return .date(SQLDate(year: integers[0], month: integers[1], day: integers[2]))
        case ("T", 5) where integers.count == 4:
            guard let negative = rest[0].boolValue else { return nil }
            return .time(
                SQLTime(
                    negative: negative, hours: integers[0], minutes: integers[1], seconds: integers[2],
                    microseconds: integers[3]))
        case ("W", 7) where integers.count == 7: return .dateTime(dateTime(integers))
        case ("Z", 7) where integers.count == 7: return .timestamp(dateTime(integers))
        default: return nil
        }
    }

    private static func dateTime(_ n: [Int]) -> SQLDateTime {
        SQLDateTime(
            date: SQLDate(year: n[0], month: n[1], day: n[2]), hour: n[3], minute: n[4], second: n[5], microsecond: n[6])
    }
}

/// The key list cursors are signed with (HMAC-SHA256).
///
/// Derived from the bearer token when there is one, so that cursors outlive restarts and are
/// read by every server that shares the token (several processes behind one load balancer);
/// a new token makes the old cursors unusable, as it does the old clients. Without a token
/// (`token: none`) the key is random for each process: cursors then last as long as it.
public struct CursorKey: Sendable {
    private let key: SymmetricKey

    /// - Parameter token: the `Authorization: Bearer` token, or nil when the server has none.
    public init(token: String?) {
        if let token {
            let derived = HMAC<SHA256>.authenticationCode(
                for: Array("scimsync list cursor key v1".utf8), using: SymmetricKey(data: Array(token.utf8)))
            key = SymmetricKey(data: Array(derived))
        } else {
            key = SymmetricKey(size: .bits256)
        }
    }

    func tag(_ bytes: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key))
    }
}
