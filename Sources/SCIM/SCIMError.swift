/// A SCIM error response (RFC 7644 §3.12), usable as a Swift error.
///
/// `description` is generic (status and scimType only) so that logging an error never prints
/// personal data that a `detail` might quote; the detail is available through
/// `String(reflecting:)` and is sent to the client in the JSON body.
public struct SCIMError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The `scimType` values of RFC 7644 §3.12, table 9, and those RFC 9865 §2 adds for cursor
    /// paging.
    public enum ScimType: String, Sendable, Hashable, CaseIterable {
        /// The filter syntax was invalid or the attribute and comparison are not supported.
        case invalidFilter
        /// The filter yields too many results for the server to process.
        case tooMany
        /// One or more unique attribute values are already in use.
        case uniqueness
        /// The attempted modification is not compatible with the attribute's mutability.
        case mutability
        /// The request body is not valid or does not conform to the schema.
        case invalidSyntax
        /// The path attribute was invalid or malformed.
        case invalidPath
        /// The path did not yield an attribute or value that could be operated on.
        case noTarget
        /// A required value was missing or the value is not compatible.
        case invalidValue
        /// The specified SCIM protocol version is not supported.
        case invalidVers
        /// The request cannot be completed because of sensitive information in the URI.
        case sensitive
        /// The cursor is not one the server issued for this query (RFC 9865).
        case invalidCursor
        /// The cursor is too old to use (RFC 9865).
        case expiredCursor
        /// The count is outside what the server allows with cursors (RFC 9865).
        case invalidCount
    }

    /// The HTTP status code, e.g. 400.
    public var status: Int
    public var scimType: ScimType?
    /// A human-readable explanation, meant for the client that sent the request.
    public var detail: String?

    public init(status: Int, scimType: ScimType? = nil, detail: String? = nil) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    /// A 400 Bad Request with the given `scimType`: the status RFC 7644 §3.12 (table 9) gives
    /// every `scimType` except `uniqueness` (409, see ``uniqueness(_:)``) and `sensitive` (403).
    public static func badRequest(_ scimType: ScimType, _ detail: String) -> SCIMError {
        SCIMError(status: 400, scimType: scimType, detail: detail)
    }

    /// 409 Conflict: a unique attribute's value is already in use (RFC 7644 §3.12).
    public static func uniqueness(_ detail: String) -> SCIMError {
        SCIMError(status: 409, scimType: .uniqueness, detail: detail)
    }

    public static func invalidSyntax(_ detail: String) -> SCIMError { badRequest(.invalidSyntax, detail) }
    public static func invalidPath(_ detail: String) -> SCIMError { badRequest(.invalidPath, detail) }
    public static func invalidValue(_ detail: String) -> SCIMError { badRequest(.invalidValue, detail) }
    public static func noTarget(_ detail: String) -> SCIMError { badRequest(.noTarget, detail) }
    public static func mutability(_ detail: String) -> SCIMError { badRequest(.mutability, detail) }
    public static func invalidFilter(_ detail: String) -> SCIMError { badRequest(.invalidFilter, detail) }

    public var description: String {
        if let scimType { return "SCIM error \(status) \(scimType.rawValue)" }
        return "SCIM error \(status)"
    }

    public var debugDescription: String {
        guard let detail else { return description }
        return "\(description): \(detail)"
    }
}

extension SCIMError {
    /// The error response body of RFC 7644 §3.12. `status` travels as a string, as the RFC's
    /// examples and schema show (`"status": "400"`).
    public var json: SCIMValue {
        var o: SCIMObject = ["schemas": [.string(SchemaURN.error)]]
        if let scimType { o["scimType"] = .string(scimType.rawValue) }
        if let detail { o["detail"] = .string(detail) }
        o["status"] = .string(String(status))
        return .object(o)
    }

    /// Reads an error response body. Accepts `status` as a string (RFC 7644) or as a number
    /// (some service providers send one); an unknown `scimType` is dropped rather than
    /// refused, so the status and detail still reach the caller.
    public init?(json: SCIMValue) {
        guard let o = json.objectValue else { return nil }
        let status: Int
        switch o["status"] {
        case .string(let s)?:
            guard let n = Int(s) else { return nil }
            status = n
        case .integer(let n)?:
            guard let n = Int(exactly: n) else { return nil }
            status = n
        case .null?, .bool?, .decimal?, .array?, .object?, nil:
            return nil
        }
        self.init(
            status: status,
            scimType: o["scimType"]?.stringValue.flatMap(ScimType.init(rawValue:)),
            detail: o["detail"]?.stringValue)
    }
}
