import SCIM

// What a layout needs to know about the attributes it maps, from the SCIM module's core
// schemas (RFC 7643 §4.1-§4.3). A map entry does not say whether it belongs to a User or a
// Group, so both are consulted: their attribute names never disagree on type.

private let knownSchemaSets = [CoreSchemas.userSchemas, CoreSchemas.groupSchemas]

/// The schema definition of the attribute (or sub-attribute) `path` names, if it is a core
/// or enterprise attribute.
public func attributeDefinition(for path: AttributePath) -> AttributeDefinition? {
    for schemas in knownSchemaSets {
        if let definition = CoreSchemas.definition(of: path, in: schemas) { return definition }
    }
    return nil
}

/// The SCIM data type of the attribute (or sub-attribute) that `path` names. A filtered path
/// without a sub-attribute (`emails[type eq "work"]`) stands for the element's `value`.
/// Attributes no schema defines are strings.
public func attributeType(for path: AttributePath) -> AttributeDefinition.DataType {
    guard let definition = attributeDefinition(for: path) else { return .string }
    if definition.type == .complex, path.subAttribute == nil, let value = definition.subAttribute("value") {
        return value.type
    }
    return definition.type
}

/// Whether `path`'s top-level attribute is multi-valued, so that its values live in an
/// array of elements.
public func isMultiValued(_ path: AttributePath) -> Bool {
    attributeDefinition(for: AttributePath(schema: path.schema, attribute: path.attribute))?.multiValued ?? false
}

extension AttributePath {
    /// Whether the path belongs to a core schema: unqualified, or qualified with the core
    /// User or Group URN (RFC 7644 §3.10: "the attribute name MAY be fully qualified").
    public var isCore: Bool {
        guard let schema else { return true }
        return schema.caseInsensitiveEquals(SchemaURN.user) || schema.caseInsensitiveEquals(SchemaURN.group)
    }

    /// The extension schema URN the path belongs to, if it is not core.
    public var extensionSchema: String? { isCore ? nil : schema }
}
