/// The definition of one attribute (RFC 7643 §2.2 and §7).
public struct AttributeDefinition: Sendable, Hashable {
    public enum DataType: String, Sendable, Hashable {
        case string, boolean, decimal, integer, dateTime, binary, reference, complex
    }

    public enum Mutability: String, Sendable, Hashable {
        case readOnly, readWrite, immutable, writeOnly
    }

    public enum Returned: String, Sendable, Hashable {
        case always, never, `default`, request
    }

    public enum Uniqueness: String, Sendable, Hashable {
        case none, server, global
    }

    public var name: String
    public var type: DataType
    public var multiValued: Bool
    public var required: Bool
    /// Whether string comparisons are case-sensitive (RFC 7643 §2.2: default false).
    public var caseExact: Bool
    public var mutability: Mutability
    public var returned: Returned
    public var uniqueness: Uniqueness
    public var canonicalValues: [String]
    public var referenceTypes: [String]
    public var subAttributes: [AttributeDefinition]
    public var description: String

    public init(
        name: String, type: DataType, multiValued: Bool = false, required: Bool = false, caseExact: Bool = false,
        mutability: Mutability = .readWrite, returned: Returned = .default, uniqueness: Uniqueness = .none,
        canonicalValues: [String] = [], referenceTypes: [String] = [], subAttributes: [AttributeDefinition] = [],
        description: String = ""
    ) {
        self.name = name
        self.type = type
        self.multiValued = multiValued
        self.required = required
        self.caseExact = caseExact
        self.mutability = mutability
        self.returned = returned
        self.uniqueness = uniqueness
        self.canonicalValues = canonicalValues
        self.referenceTypes = referenceTypes
        self.subAttributes = subAttributes
        self.description = description
    }

    /// The sub-attribute named `name`, compared case-insensitively.
    public func subAttribute(_ name: String) -> AttributeDefinition? {
        subAttributes.first { $0.name.caseInsensitiveEquals(name) }
    }
}

/// A schema (RFC 7643 §7): a URN and its attributes.
public struct SchemaDefinition: Sendable, Hashable {
    public var id: String
    public var name: String
    public var description: String
    public var attributes: [AttributeDefinition]

    public init(id: String, name: String, description: String = "", attributes: [AttributeDefinition]) {
        self.id = id
        self.name = name
        self.description = description
        self.attributes = attributes
    }

    public func attribute(_ name: String) -> AttributeDefinition? {
        attributes.first { $0.name.caseInsensitiveEquals(name) }
    }
}

/// A resource type (RFC 7643 §6): its core schema and extensions.
public struct ResourceTypeDefinition: Sendable, Hashable {
    public var name: String
    public var endpoint: String
    public var schema: String
    /// Extension schema URNs with whether each is required.
    public var extensions: [(schema: String, required: Bool)]

    public init(name: String, endpoint: String, schema: String, extensions: [(schema: String, required: Bool)] = []) {
        self.name = name
        self.endpoint = endpoint
        self.schema = schema
        self.extensions = extensions
    }

    public static func == (lhs: ResourceTypeDefinition, rhs: ResourceTypeDefinition) -> Bool {
        lhs.name == rhs.name && lhs.endpoint == rhs.endpoint && lhs.schema == rhs.schema
            && lhs.extensions.map(\.schema) == rhs.extensions.map(\.schema)
            && lhs.extensions.map(\.required) == rhs.extensions.map(\.required)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(schema)
    }
}
