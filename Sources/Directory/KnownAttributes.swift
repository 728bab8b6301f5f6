import SCIM
import Synchronization

// What a layout needs to know about the attributes it maps, from the SCIM module's core
// schemas (RFC 7643 §4.1-§4.3). A map entry does not say whether it belongs to a User or a
// Group, so both are consulted: their attribute names never disagree on type.

private let knownSchemaSets = [CoreSchemas.userSchemas, CoreSchemas.groupSchemas]

/// The schema definition of the attribute (or sub-attribute) `path` names, if it is a core
/// or enterprise attribute.
public func attributeDefinition(for path: AttributePath) -> AttributeDefinition? {
    let key = DefinitionKey(schema: path.schema, attribute: path.attribute, subAttribute: path.subAttribute)
    if let known = knownDefinitions.withLock({ $0[key] }) { return known }
    var found: AttributeDefinition?
    for schemas in knownSchemaSets {
        if let definition = CoreSchemas.definition(of: path, in: schemas) {
            found = definition
            break
        }
    }
    knownDefinitions.withLock { known in
        if known.count < maxKnownDefinitions { known[key] = .some(found) }
    }
    return found
}

/// Definitions looked up already, by the names in the path: mapping a row with a value filter
/// (`emails[type eq "work"].value`) looks one up per row, and a lookup scans the schemas'
/// attribute lists (a tenth of a first load's mapping time, in perf). Bounded, since names
/// can come from requests.
private let knownDefinitions = Mutex<[DefinitionKey: AttributeDefinition?]>([:])
private let maxKnownDefinitions = 1_024

private struct DefinitionKey: Hashable {
    var schema: String?
    var attribute: String
    var subAttribute: String?
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
