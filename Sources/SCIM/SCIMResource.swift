/// A SCIM resource (User, Group or any other type), kept as its JSON object so that
/// attributes scimsync does not know survive a round trip (RFC 7643 §3).
public struct SCIMResource: Sendable, Hashable {
    public var attributes: SCIMObject

    public init(_ attributes: SCIMObject = SCIMObject()) {
        self.attributes = attributes
    }

    /// `id`: the service provider's identifier (RFC 7643 §3.1).
    public var id: String? {
        get { attributes["id"]?.stringValue }
        set { attributes["id"] = newValue.map(SCIMValue.string) }
    }

    /// `externalId`: the client's identifier for the resource (RFC 7643 §3.1).
    public var externalId: String? {
        get { attributes["externalId"]?.stringValue }
        set { attributes["externalId"] = newValue.map(SCIMValue.string) }
    }

    /// `displayName`: a User's or a Group's name for display (RFC 7643 §4.1.1, §4.2).
    public var displayName: String? {
        get { attributes["displayName"]?.stringValue }
        set { attributes["displayName"] = newValue.map(SCIMValue.string) }
    }

    /// `schemas`: the URNs of the schemas the resource uses.
    public var schemas: [String] {
        get { attributes["schemas"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { attributes["schemas"] = .array(newValue.map(SCIMValue.string)) }
    }

    public subscript(key: String) -> SCIMValue? {
        get { attributes[key] }
        set { attributes[key] = newValue }
    }
}

/// Well-known schema URNs (RFC 7643 §8.7 and RFC 7644 §8.2).
public enum SchemaURN {
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    public static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    public static let bulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
    public static let bulkResponse = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
}
