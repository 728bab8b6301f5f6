import SCIM

// The SCIM data types of the attributes a layout maps, from a small table of RFC 7643's core
// User and Group attributes (§4.1, §4.2) and the enterprise extension (§4.3).
//
// TO BE REWIRED: once the SCIM module's core schema definitions land, `attributeType(for:)`
// and `isMultiValued(_:)` become lookups in those SchemaDefinitions; nothing else in this
// module reads the table below.

/// The SCIM data type of the attribute (or sub-attribute) that `path` names. Attributes
/// not in the table are strings.
public func attributeType(for path: AttributePath) -> AttributeDefinition.DataType {
    let name = (path.subAttribute ?? path.attribute).lowercased()
    let parent = path.subAttribute == nil ? nil : path.attribute.lowercased()
    if path.isCore {
        switch (parent, name) {
        case (nil, "active"), (_, "primary"): return .boolean
        case ("meta", "created"), ("meta", "lastmodified"): return .dateTime
        case (nil, "profileurl"), ("photos", "value"), ("meta", "location"), (_, "$ref"): return .reference
        case ("x509certificates", "value"): return .binary
        default: return .string
        }
    }
    if let schema = path.schema, schema.caseInsensitiveEquals(SchemaURN.enterpriseUser), name == "$ref" {
        return .reference
    }
    return .string
}

/// Whether `path`'s top-level attribute is multi-valued (RFC 7643 §4.1.2, §4.2), so that its
/// values live in an array of elements.
public func isMultiValued(_ path: AttributePath) -> Bool {
    path.isCore && multiValuedCoreAttributes.contains(path.attribute.lowercased())
}

private let multiValuedCoreAttributes: Set<String> = [
    "emails", "phonenumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles",
    "x509certificates", "members",
]

extension AttributePath {
    /// Whether the path belongs to a core schema: unqualified, or qualified with the core
    /// User or Group URN (RFC 7644 §3.10: "the attribute name MAY be fully qualified").
    var isCore: Bool {
        guard let schema else { return true }
        return schema.caseInsensitiveEquals(SchemaURN.user) || schema.caseInsensitiveEquals(SchemaURN.group)
    }

    /// The extension schema URN the path belongs to, if it is not core.
    var extensionSchema: String? { isCore ? nil : schema }
}
