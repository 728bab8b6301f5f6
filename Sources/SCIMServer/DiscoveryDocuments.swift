import Directory
import SCIM

/// `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes` (RFC 7644 §4, RFC 7643 §5-§7),
/// describing exactly what this server stores: a schema lists only the attributes the layout
/// maps (and the memberships it keeps), so a client learns what will round-trip.
struct DiscoveryDocuments: Sendable {
    let serviceProviderConfig: SCIMObject
    let schemas: [SCIMObject]
    let resourceTypes: [SCIMObject]

    /// - Parameter required: attributes whose column is NOT NULL without a DEFAULT, by type.
    init(layout: DirectoryLayout, settings: SCIMSettings, required: [ResourceKind: [String]] = [:]) {
        var config: SCIMObject = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": "https://github.com/scimsync/scimsync#scimsync-serve",
            "patch": ["supported": true],
            "bulk": ["supported": false, "maxOperations": 0, "maxPayloadSize": 0],
            "filter": ["supported": true, "maxResults": .integer(Int64(settings.maxPageSize))],
            "changePassword": ["supported": false],
            "sort": ["supported": true],
            "etag": ["supported": true],
            // RFC 9865 §4. Index paging stays the default, as §2.6 advises for clients that
            // expect it; cursors never expire, so no cursorTimeout is announced.
            "pagination": [
                "cursor": true, "index": true, "defaultPaginationMethod": "index",
                "defaultPageSize": .integer(Int64(settings.maxPageSize)),
                "maxPageSize": .integer(Int64(settings.maxPageSize)),
            ],
        ]
        config["authenticationSchemes"] = settings.token == nil ? [] : [
            [
                "type": "oauthbearertoken", "name": "Bearer token",
                "description": "Authentication with a bearer token in the Authorization header (RFC 6750)",
                "primary": true,
            ]
        ]
        config["meta"] = ["resourceType": "ServiceProviderConfig"]
        serviceProviderConfig = config

        var schemas: [SCIMObject] = []
        var types: [SCIMObject] = []
        let userMapper = layout.userMapper
        let hasMemberships = layout.membership != nil || layout.users.group != nil
        let userExtensions = userMapper.schemas.dropFirst().map { $0 }
        schemas.append(
            Self.schema(
                CoreSchemas.user, mapped: userMapper.mappedAttributes, extra: hasMemberships ? ["groups"] : [],
                required: required[.user] ?? []))
        for urn in userExtensions {
            if let definition = CoreSchemas.userSchemas.first(where: { $0.id.caseInsensitiveEquals(urn) }) {
                schemas.append(
                    Self.schema(definition, mapped: userMapper.mappedAttributes, extension: true, required: required[.user] ?? []))
            }
        }
        var user: SCIMObject = [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
            "schema": .string(SchemaURN.user),
        ]
        user["schemaExtensions"] = .array(userExtensions.map { .object(["schema": .string($0), "required": false]) })
        user["meta"] = ["resourceType": "ResourceType"]
        types.append(user)
        if let groupMapper = layout.groupMapper {
            schemas.append(
                Self.schema(
                    CoreSchemas.group, mapped: groupMapper.mappedAttributes, extra: hasMemberships ? ["members"] : [],
                    required: required[.group] ?? []))
            types.append([
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Group",
                "schema": .string(SchemaURN.group), "schemaExtensions": [],
                "meta": ["resourceType": "ResourceType"],
            ])
        }
        self.schemas = schemas
        resourceTypes = types
    }

    /// The schema with only the attributes (and sub-attributes) the map stores, plus `extra`
    /// attributes kept whole.
    private static func schema(
        _ definition: SchemaDefinition, mapped: [MappedAttribute], extra: [String] = [], extension isExtension: Bool = false,
        required: [String] = []
    ) -> SCIMObject {
        // The columns decide too: a NOT NULL column without a DEFAULT makes its attribute (or
        // sub-attribute) required, whatever RFC 7643 says of it.
        let requiredPaths = required.compactMap { try? AttributePath.parse($0) }.filter { path in
            isExtension ? path.schema?.caseInsensitiveEquals(definition.id) == true : path.schema == nil
        }
        let relevant = mapped.filter { attribute in
            guard !attribute.isID else { return false }
            if isExtension { return attribute.path.schema?.caseInsensitiveEquals(definition.id) == true }
            return attribute.path.schema == nil
        }
        var attributes: [SCIMValue] = []
        for attribute in definition.attributes {
            if extra.contains(where: { $0.caseInsensitiveEquals(attribute.name) }) {
                // Memberships are ids: `display` is not stored, and only users are members.
                var kept = attribute
                kept.subAttributes = attribute.subAttributes.filter { !$0.name.caseInsensitiveEquals("display") }
                if attribute.name.caseInsensitiveEquals("members") {
                    kept.subAttributes = kept.subAttributes.map { sub in
                        var sub = sub
                        if sub.name == "type" { sub.canonicalValues = ["User"] }
                        if sub.name == "$ref" { sub.referenceTypes = ["User"] }
                        return sub
                    }
                }
                attributes.append(.object(json(kept)))
                continue
            }
            let entries = relevant.filter { $0.path.attribute.caseInsensitiveEquals(attribute.name) }
            guard !entries.isEmpty else { continue }
            var trimmed = attribute
            if requiredPaths.contains(where: { $0.attribute.caseInsensitiveEquals(attribute.name) }) {
                trimmed.required = true
            }
            if attribute.type == .complex {
                trimmed.subAttributes = attribute.subAttributes.filter { sub in
                    entries.contains { entry in
                        entry.path.subAttribute?.caseInsensitiveEquals(sub.name) == true || entry.fixedValues[sub.name] != nil
                    }
                }
                // A filtered element (`emails[type eq "work"]`) can only be of the kinds mapped.
                trimmed.subAttributes = trimmed.subAttributes.map { sub in
                    var sub = sub
                    let fixed = entries.compactMap { $0.fixedValues[sub.name]?.stringValue }
                    if !fixed.isEmpty { sub.canonicalValues = Array(Set(fixed)).sorted() }
                    if requiredPaths.contains(where: {
                        $0.attribute.caseInsensitiveEquals(attribute.name) && $0.subAttribute?.caseInsensitiveEquals(sub.name) == true
                    }) {
                        sub.required = true
                    }
                    return sub
                }
            }
            attributes.append(.object(json(trimmed)))
        }
        return [
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": .string(definition.id), "name": .string(definition.name),
            "description": .string(definition.description), "attributes": .array(attributes),
            "meta": ["resourceType": "Schema"],
        ]
    }

    private static func json(_ attribute: AttributeDefinition) -> SCIMObject {
        var object: SCIMObject = [
            "name": .string(attribute.name), "type": .string(attribute.type.rawValue),
            "multiValued": .bool(attribute.multiValued), "description": .string(attribute.description),
            "required": .bool(attribute.required),
        ]
        if attribute.type == .string || attribute.type == .reference || attribute.type == .binary {
            object["caseExact"] = .bool(attribute.caseExact)
        }
        if !attribute.canonicalValues.isEmpty {
            object["canonicalValues"] = .array(attribute.canonicalValues.map(SCIMValue.string))
        }
        if attribute.type == .reference {
            object["referenceTypes"] = .array(attribute.referenceTypes.map(SCIMValue.string))
        }
        object["mutability"] = .string(attribute.mutability.rawValue)
        object["returned"] = .string(attribute.returned.rawValue)
        object["uniqueness"] = .string(attribute.uniqueness.rawValue)
        if attribute.type == .complex {
            object["subAttributes"] = .array(attribute.subAttributes.map { .object(json($0)) })
        }
        return object
    }
}
