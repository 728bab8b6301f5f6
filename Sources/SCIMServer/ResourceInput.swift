import Directory
import SCIM

/// A POST or PUT body checked against what the resource type requires (RFC 7643 §4, RFC 7644
/// §3.3 and §3.5.1): the core schema listed, the required attribute present, read-only
/// attributes dropped (the server assigns them), members read as ids.
struct ResourceInput {
    var resource: SCIMResource
    /// The ids in `members` (groups); nil when the body has no `members`.
    var memberIDs: [String]?

    init(_ body: SCIMValue, kind: ResourceKind) throws(SCIMError) {
        guard var object = body.objectValue else { throw .invalidSyntax("the body must be a JSON object") }
        let schemas = object["schemas"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard schemas.contains(where: { $0.caseInsensitiveEquals(kind.coreSchema) }) else {
            throw .invalidSyntax("\"schemas\" must list \"\(kind.coreSchema)\"")
        }
        // RFC 7643 §8.7.1 marks a User's userName required and a Group's displayName not.
        if kind == .user {
            guard let value = object["userName"], let text = value.stringValue, !text.allSatisfy({ $0 == " " }) else {
                throw .invalidValue("userName is required and must be a non-empty string")
            }
        } else if let value = object["displayName"], !value.isNull, value.stringValue == nil {
            throw .invalidValue("displayName must be a string")
        }
        // Read-only attributes are the server's (RFC 7643 §2.2 "readOnly ... SHALL be ignored"
        // when a client sends them): `id`, `meta`, a user's `groups`.
        object["id"] = nil
        object["meta"] = nil
        if kind == .user { object["groups"] = nil }
        if kind == .group, let members = object["members"] {
            object["members"] = nil
            memberIDs = try Self.memberIDs(members)
        }
        resource = SCIMResource(try object.coercedResource(schemas: kind.schemas))
    }

    /// The `value`s of a `members` array.
    static func memberIDs(_ members: SCIMValue) throws(SCIMError) -> [String] {
        if members.isNull { return [] }
        guard let elements = members.arrayValue else { throw .invalidValue("members must be an array") }
        var ids: [String] = []
        var seen = Set<String>()
        ids.reserveCapacity(elements.count)
        for element in elements {
            guard let object = element.objectValue, let id = object["value"]?.stringValue, !id.isEmpty else {
                throw .invalidValue("each member needs a \"value\" holding the member's id")
            }
            if let type = object["type"]?.stringValue, type.caseInsensitiveEquals("Group") {
                throw .invalidValue("groups as members are not supported by this directory; add users")
            }
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }
}
