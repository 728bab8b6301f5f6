/// The schemas RFC 7643 defines, transcribed from their JSON representation in §8.7.1 (User,
/// Group, EnterpriseUser), plus the common attributes of §3.1 that every resource carries
/// without belonging to a schema.
///
/// Characteristics left out of the RFC's JSON take the defaults of §2.2 (`caseExact` false,
/// `uniqueness` none), as `AttributeDefinition.init` does. Where §8.7.1 and the prose
/// disagree, the JSON wins and a comment says so.
///
/// A list of schemas passed to the lookup and to the filter evaluator names the resource
/// type's core schema first and its extensions after it, as a ResourceType does with
/// `schema` and `schemaExtensions` (RFC 7643 §6).
public enum CoreSchemas {
    /// `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §4.1, §8.7.1).
    public static let user = SchemaDefinition(
        id: SchemaURN.user, name: "User", description: "User Account",
        attributes: [
            string("userName", required: true, uniqueness: .server),
            complex("name", subAttributes: [
                string("formatted"),
                string("familyName"),
                string("givenName"),
                string("middleName"),
                string("honorificPrefix"),
                string("honorificSuffix"),
            ]),
            string("displayName"),
            string("nickName"),
            reference("profileUrl", referenceTypes: ["external"]),
            string("title"),
            string("userType"),
            string("preferredLanguage"),
            string("locale"),
            string("timezone"),
            boolean("active"),
            string("password", mutability: .writeOnly, returned: .never),
            multiValued("emails", subAttributes: [
                string("value"),
                string("display"),
                string("type", canonicalValues: ["work", "home", "other"]),
                boolean("primary"),
            ]),
            multiValued("phoneNumbers", subAttributes: [
                string("value"),
                string("display"),
                string("type", canonicalValues: ["work", "home", "mobile", "fax", "pager", "other"]),
                boolean("primary"),
            ]),
            multiValued("ims", subAttributes: [
                string("value"),
                string("display"),
                string("type", canonicalValues: ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
                boolean("primary"),
            ]),
            multiValued("photos", subAttributes: [
                reference("value", referenceTypes: ["external"]),
                string("display"),
                string("type", canonicalValues: ["photo", "thumbnail"]),
                boolean("primary"),
            ]),
            // §8.7.1 lists no `primary` for addresses, although §4.1.2 and the §8.2 example use
            // it; we follow the example so that `addresses[primary eq true]` knows its type.
            multiValued("addresses", subAttributes: [
                string("formatted"),
                string("streetAddress"),
                string("locality"),
                string("region"),
                string("postalCode"),
                string("country"),
                string("type", canonicalValues: ["work", "home", "other"]),
                boolean("primary"),
            ]),
            multiValued("groups", mutability: .readOnly, subAttributes: [
                string("value", mutability: .readOnly),
                reference("$ref", referenceTypes: ["User", "Group"], mutability: .readOnly),
                string("display", mutability: .readOnly),
                string("type", canonicalValues: ["direct", "indirect"], mutability: .readOnly),
            ]),
            multiValued("entitlements", subAttributes: [
                string("value"),
                string("display"),
                string("type"),
                boolean("primary"),
            ]),
            multiValued("roles", subAttributes: [
                string("value"),
                string("display"),
                string("type"),
                boolean("primary"),
            ]),
            multiValued("x509Certificates", subAttributes: [
                AttributeDefinition(name: "value", type: .binary),
                string("display"),
                string("type"),
                boolean("primary"),
            ]),
        ])

    /// `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §4.2, §8.7.1).
    public static let group = SchemaDefinition(
        id: SchemaURN.group, name: "Group", description: "Group",
        attributes: [
            // "REQUIRED" in the description, `"required" : false` in §8.7.1's JSON.
            string("displayName"),
            multiValued("members", subAttributes: [
                string("value", mutability: .immutable),
                reference("$ref", referenceTypes: ["User", "Group"], mutability: .immutable),
                string("type", canonicalValues: ["User", "Group"], mutability: .immutable),
                // Not in §8.7.1, but in §4.2's example and sent by most providers.
                string("display", mutability: .immutable),
            ]),
        ])

    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` (RFC 7643 §4.3, §8.7.1).
    public static let enterpriseUser = SchemaDefinition(
        id: SchemaURN.enterpriseUser, name: "EnterpriseUser", description: "Enterprise User",
        attributes: [
            string("employeeNumber"),
            string("costCenter"),
            string("organization"),
            string("division"),
            string("department"),
            complex("manager", subAttributes: [
                string("value"),
                reference("$ref", referenceTypes: ["User"]),
                string("displayName", mutability: .readOnly),
            ]),
        ])

    /// `id`, `externalId` and `meta` (RFC 7643 §3.1), and `schemas` (§3), which belong to every
    /// resource but to no schema.
    public static let commonAttributes: [AttributeDefinition] = [
        // §3.1: "caseExact" true, "readOnly", returned "always", unique within the provider.
        AttributeDefinition(
            name: "id", type: .string, caseExact: true, mutability: .readOnly, returned: .always, uniqueness: .server),
        // §3.1: "caseExact" true, "readWrite".
        AttributeDefinition(name: "externalId", type: .string, caseExact: true),
        complex("meta", mutability: .readOnly, subAttributes: [
            AttributeDefinition(name: "resourceType", type: .string, caseExact: true, mutability: .readOnly),
            AttributeDefinition(name: "created", type: .dateTime, mutability: .readOnly),
            AttributeDefinition(name: "lastModified", type: .dateTime, mutability: .readOnly),
            AttributeDefinition(name: "location", type: .reference, caseExact: true, mutability: .readOnly),
            AttributeDefinition(name: "version", type: .string, caseExact: true, mutability: .readOnly),
        ]),
        // §3: "an array of Strings containing URIs"; strings, not references, so that URNs
        // compare without regard to case as everywhere else in SCIM.
        AttributeDefinition(
            name: "schemas", type: .string, multiValued: true, required: true, returned: .always),
    ]

    /// The User resource type: core User schema, then the enterprise extension.
    public static let userSchemas: [SchemaDefinition] = [user, enterpriseUser]
    /// The Group resource type.
    public static let groupSchemas: [SchemaDefinition] = [group]

    /// The definition of the attribute `path` names: its top-level attribute, or its
    /// sub-attribute when it has one. `subAttribute`, when given, replaces the path's own
    /// sub-attribute; use it for a name inside a value filter, e.g. the `type` of
    /// `emails[type eq "work"]` is `definition(of: emails, subAttribute: "type", in: ...)`.
    ///
    /// Names compare case-insensitively (RFC 7643 §2.1). A path without a URN prefix, or
    /// prefixed with the core schema (the first of `schemas`), finds the common attributes and
    /// the core schema's attributes; a path prefixed with an extension's URN finds that
    /// extension's attributes. Returns nil for anything not defined.
    public static func definition(
        of path: AttributePath, subAttribute: String? = nil, in schemas: [SchemaDefinition]
    ) -> AttributeDefinition? {
        guard let top = topLevelDefinition(schema: path.schema, attribute: path.attribute, in: schemas) else {
            return nil
        }
        guard let sub = subAttribute ?? path.subAttribute else { return top }
        return top.subAttribute(sub)
    }

    /// The definition of a top-level attribute, given an optional schema URN.
    public static func topLevelDefinition(
        schema: String?, attribute: String, in schemas: [SchemaDefinition]
    ) -> AttributeDefinition? {
        if let schema {
            guard let core = schemas.first, schema.caseInsensitiveEquals(core.id) else {
                return schemas.dropFirst().first { $0.id.caseInsensitiveEquals(schema) }?.attribute(attribute)
            }
        }
        if let common = commonAttributes.first(where: { $0.name.caseInsensitiveEquals(attribute) }) {
            return common
        }
        return schemas.first?.attribute(attribute)
    }

    // MARK: Shorthands for the tables above

    private static func string(
        _ name: String, required: Bool = false, mutability: AttributeDefinition.Mutability = .readWrite,
        returned: AttributeDefinition.Returned = .default, uniqueness: AttributeDefinition.Uniqueness = .none,
        canonicalValues: [String] = []
    ) -> AttributeDefinition {
        AttributeDefinition(
            name: name, type: .string, required: required, mutability: mutability, returned: returned,
            uniqueness: uniqueness, canonicalValues: canonicalValues)
    }

    private static func string(
        _ name: String, canonicalValues: [String], mutability: AttributeDefinition.Mutability = .readWrite
    ) -> AttributeDefinition {
        string(name, mutability: mutability, canonicalValues: canonicalValues)
    }

    private static func boolean(_ name: String) -> AttributeDefinition {
        AttributeDefinition(name: name, type: .boolean)
    }

    /// §8.7.1 gives references `"caseExact" : false`; comparisons still treat them as exact,
    /// because §2.3.7 says "A reference is case exact".
    private static func reference(
        _ name: String, referenceTypes: [String], mutability: AttributeDefinition.Mutability = .readWrite
    ) -> AttributeDefinition {
        AttributeDefinition(name: name, type: .reference, mutability: mutability, referenceTypes: referenceTypes)
    }

    private static func complex(
        _ name: String, mutability: AttributeDefinition.Mutability = .readWrite, subAttributes: [AttributeDefinition]
    ) -> AttributeDefinition {
        AttributeDefinition(name: name, type: .complex, mutability: mutability, subAttributes: subAttributes)
    }

    private static func multiValued(
        _ name: String, mutability: AttributeDefinition.Mutability = .readWrite, subAttributes: [AttributeDefinition]
    ) -> AttributeDefinition {
        AttributeDefinition(
            name: name, type: .complex, multiValued: true, mutability: mutability, subAttributes: subAttributes)
    }
}
