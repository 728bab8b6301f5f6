/// The body of a SCIM PATCH request (RFC 7644 §3.5.2):
/// `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[...]}`.
///
/// Decoding accepts what Microsoft Entra ID really sends besides the RFC's form (see
/// "Known issues and resolutions with SCIM 2.0 protocol compliance", Microsoft Learn):
/// capitalised op names (`"Replace"`), booleans as strings (`"value": "False"` for `active`),
/// the manager's id as a plain string, and path-less values whose member names are paths
/// (`{"name.givenName": "Kkom", "urn:...:enterprise:2.0:User:employeeNumber": "Aklq"}`).
/// Everything is normalised to the RFC's form, so apply code sees one shape.
public struct PatchRequest: Sendable, Hashable {
    public var operations: [PatchOperation]

    public init(operations: [PatchOperation]) {
        self.operations = operations
    }

    /// Decodes a PATCH body from JSON bytes; malformed JSON is a 400 `invalidSyntax` naming
    /// the byte offset.
    public init(json bytes: some Collection<UInt8>, schemas: [SchemaDefinition] = CoreSchemas.userSchemas)
        throws(SCIMError)
    {
        let value: SCIMValue
        do {
            value = try SCIMValue(json: bytes)
        } catch {
            throw .invalidSyntax("PATCH body is not valid JSON: \(error)")
        }
        try self.init(json: value, schemas: schemas)
    }

    /// Decodes a parsed PATCH body.
    ///
    /// `schemas` are the resource type's schemas, core first (e.g. `CoreSchemas.userSchemas`):
    /// attribute types decide which string values become booleans (`"True"` for `active` does,
    /// `"True"` for `nickName` stays a string) and which strings become `{"value": ...}`
    /// objects (the enterprise `manager`).
    ///
    /// Errors are 400s naming the operation by index: `invalidSyntax` for a malformed body or
    /// unknown `op`, `invalidPath` for a path that does not parse, `invalidValue` for a
    /// missing or ill-typed `value`.
    public init(json: SCIMValue, schemas: [SchemaDefinition] = CoreSchemas.userSchemas) throws(SCIMError) {
        guard let body = json.objectValue else { throw .invalidSyntax("PATCH body is not a JSON object") }
        let listed = body["schemas"]?.arrayValue ?? []
        guard listed.contains(where: { $0.stringValue?.caseInsensitiveEquals(SchemaURN.patchOp) ?? false }) else {
            throw .invalidSyntax("PATCH body must list \"\(SchemaURN.patchOp)\" in \"schemas\"")
        }
        // SCIMObject lookups ignore case, which also accepts the `"operations"` some clients send.
        guard let list = body["Operations"]?.arrayValue else {
            throw .invalidSyntax("PATCH body must have an \"Operations\" array")
        }
        // RFC 7644 §3.5.2: "an array of one or more PATCH operations".
        guard !list.isEmpty else { throw .invalidSyntax("PATCH \"Operations\" is empty; send at least one operation") }
        var decoded: [PatchOperation] = []
        decoded.reserveCapacity(list.count)
        for (index, element) in list.enumerated() {
            decoded.append(try PatchOperation(json: element, index: index, schemas: schemas))
        }
        operations = decoded
    }

    /// The request body, operations in order, with lowercase op names and printed paths.
    public var json: SCIMValue {
        [
            "schemas": [.string(SchemaURN.patchOp)],
            "Operations": .array(operations.map(\.json)),
        ]
    }
}

extension PatchOperation {
    /// One operation as JSON: `{"op": "add", "path": "...", "value": ...}`.
    public var json: SCIMValue {
        var o: SCIMObject = ["op": .string(op.rawValue)]
        if let path { o["path"] = .string(path.description) }
        if let value { o["value"] = value }
        return .object(o)
    }

    /// Decodes `Operations[index]`; see ``PatchRequest/init(json:schemas:)``.
    init(json: SCIMValue, index: Int, schemas: [SchemaDefinition]) throws(SCIMError) {
        let at = "Operations[\(index)]"
        guard let o = json.objectValue else { throw .invalidSyntax("\(at) is not a JSON object") }
        guard let opName = o["op"]?.stringValue else {
            throw .invalidSyntax("\(at) has no \"op\" string; use \"add\", \"remove\" or \"replace\"")
        }
        // Entra ID sends "Add", "Replace", "Remove"; RFC 7644 §3.5.2 spells them lowercase.
        guard let kind = Kind.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(opName) }) else {
            throw .invalidSyntax("\(at): unknown op; use \"add\", \"remove\" or \"replace\"")
        }

        var path: AttributePath?
        switch o["path"] {
        case nil, .null?:
            path = nil
        case .string(let text)?:
            do {
                path = try AttributePath.parse(text)
            } catch {
                throw .invalidPath("\(at): \"path\" is not a valid attribute path: \(error)")
            }
        case .bool?, .integer?, .decimal?, .array?, .object?:
            throw .invalidPath("\(at): \"path\" must be a string")
        }

        var value = o["value"]
        if value?.isNull == true { value = nil }
        switch kind {
        case .add, .replace:
            guard var v = value else {
                throw .invalidValue("\(at): \"\(kind.rawValue)\" needs a \"value\" (RFC 7644 §3.5.2.1, §3.5.2.3)")
            }
            if let path {
                v = try Coercion(schemas: schemas, at: at).coerce(v, for: path)
            } else {
                // RFC 7644 §3.5.2.1/3: without a path the value is an object of attributes.
                guard let object = v.objectValue else {
                    throw .invalidValue("\(at): without \"path\", \"value\" must be an object of attributes")
                }
                v = .object(try Coercion(schemas: schemas, at: at).normalise(object))
            }
            value = v
        case .remove:
            // RFC remove carries no value, but Entra ID's default removes members with
            // `"path": "members", "value": [{"value": "<id>"}]`: keep it to select elements.
            if let v = value, let path {
                value = try Coercion(schemas: schemas, at: at).coerce(v, for: path)
            }
        }
        self.init(op: kind, path: path, value: value)
    }
}

extension SCIMObject {
    /// A POST or PUT body's attributes checked against their definitions in `schemas` and
    /// turned into the RFC's shapes, as a PATCH's values are: Entra ID's `"True"` for a
    /// boolean, a bare value for a complex attribute with a `value`; a value of another JSON
    /// type than its attribute's is a 400 `invalidValue` that names the attribute. Attributes
    /// no schema defines pass unchanged.
    public func coercedResource(schemas: [SchemaDefinition]) throws(SCIMError) -> SCIMObject {
        try Coercion(schemas: schemas, at: "the body").normalise(self)
    }
}

/// Turns the value shapes clients send into the RFC's, by the attribute definitions.
struct Coercion {
    let schemas: [SchemaDefinition]
    /// `Operations[i]`, for error details.
    let at: String

    /// The value of an operation with `path`, converted to the type the path's target has.
    func coerce(_ value: SCIMValue, for path: AttributePath) throws(SCIMError) -> SCIMValue {
        let resolved = resolve(path)
        guard let top = CoreSchemas.topLevelDefinition(schema: resolved.schema, attribute: resolved.attribute, in: schemas)
        else { return value }
        let name = path.description
        if let sub = path.subAttribute {
            guard let definition = top.subAttribute(sub) else { return value }
            return try coerceSingle(value, definition, name)
        }
        if path.valueFilter != nil {
            // The value of `emails[type eq "work"]` is one element (or several) of `emails`.
            return try coerceElements(value, top, name)
        }
        return try coerceAttribute(value, top, name)
    }

    /// A path-less add/replace value, with dotted and URN-prefixed member names (Entra ID's
    /// `{"name.givenName": "Kkom"}`) turned into nested objects, then coerced.
    func normalise(_ object: SCIMObject) throws(SCIMError) -> SCIMObject {
        var out = SCIMObject()
        for (key, value) in object.members {
            if isExtensionKey(key, value) {
                guard let inner = value.objectValue else {
                    throw .invalidValue("\(at): extension \"\(key)\" must be an object")
                }
                var merged = out[key]?.objectValue ?? SCIMObject()
                for (attribute, v) in inner.members {
                    merged[attribute] = mergeObjects(merged[attribute], try coerceNamed(v, schema: key, attribute: attribute))
                }
                out[key] = .object(merged)
                continue
            }
            guard key.contains(".") || key.contains(":") else {
                out[key] = mergeObjects(out[key], try coerceNamed(value, schema: nil, attribute: key))
                continue
            }
            let path: AttributePath
            do {
                path = try AttributePath.parse(key)
            } catch {
                throw .invalidPath("\(at): member \"\(key)\" of the path-less value is not an attribute path: \(error)")
            }
            guard path.valueFilter == nil else {
                throw .invalidPath("\(at): member names of a path-less value cannot hold a filter; send a \"path\"")
            }
            let resolved = resolve(path)
            let coerced = try coerce(value, for: path)
            var leaf: SCIMValue = coerced
            if let sub = path.subAttribute { leaf = .object([sub: coerced]) }
            if let schema = resolved.schema {
                var container = out[schema]?.objectValue ?? SCIMObject()
                container[resolved.attribute] = mergeObjects(container[resolved.attribute], leaf)
                out[schema] = .object(container)
            } else {
                out[resolved.attribute] = mergeObjects(out[resolved.attribute], leaf)
            }
        }
        return out
    }

    /// Whether a path-less value's member is a whole extension object, keyed by its URN.
    func isExtensionKey(_ key: String, _ value: SCIMValue) -> Bool {
        if schemas.dropFirst().contains(where: { $0.id.caseInsensitiveEquals(key) }) { return true }
        // An unknown extension: a URN whose value is an object, not itself a known schema's path.
        guard key.utf8.starts(with: "urn:".utf8), value.objectValue != nil else { return false }
        guard let colon = key.lastIndex(of: ":") else { return false }
        let prefix = key[..<colon]
        return !schemas.contains { $0.id.caseInsensitiveEquals(prefix) }
    }

    /// The path with a core-schema URN dropped (those name top-level attributes) and the
    /// extension URN kept.
    func resolve(_ path: AttributePath) -> (schema: String?, attribute: String) {
        guard let schema = path.schema else { return (nil, path.attribute) }
        if isCoreSchema(schema, schemas) { return (nil, path.attribute) }
        return (schema, path.attribute)
    }

    private func coerceNamed(_ value: SCIMValue, schema: String?, attribute: String) throws(SCIMError) -> SCIMValue {
        guard let definition = CoreSchemas.topLevelDefinition(schema: schema, attribute: attribute, in: schemas) else {
            return value
        }
        return try coerceAttribute(value, definition, schema.map { "\($0):\(attribute)" } ?? attribute)
    }

    /// A whole attribute's value: each element of a multi-valued one, the value of a single one.
    private func coerceAttribute(_ value: SCIMValue, _ definition: AttributeDefinition, _ name: String)
        throws(SCIMError) -> SCIMValue
    {
        if definition.multiValued { return try coerceElements(value, definition, name) }
        return try coerceSingle(value, definition, name)
    }

    private func coerceElements(_ value: SCIMValue, _ definition: AttributeDefinition, _ name: String)
        throws(SCIMError) -> SCIMValue
    {
        guard case .array(let elements) = value else {
            // One element sent alone (an object, or null) is read as that element. A bare
            // string, number or boolean is no element of a multi-valued complex attribute
            // (RFC 7643 §2.4: its values are objects): read as `{"value": …}` it would carry
            // no `type`, match none of the elements the directory stores and erase them.
            if definition.type == .complex, value.objectValue == nil, !value.isNull {
                throw .invalidValue("\(at): \"\(name)\" is multi-valued; send an array of objects")
            }
            return try coerceSingle(value, definition, name)
        }
        var out: [SCIMValue] = []
        out.reserveCapacity(elements.count)
        for element in elements { out.append(try coerceSingle(element, definition, name)) }
        return .array(out)
    }

    /// One value of the attribute's type.
    private func coerceSingle(_ value: SCIMValue, _ definition: AttributeDefinition, _ name: String)
        throws(SCIMError) -> SCIMValue
    {
        switch (definition.type, value) {
        case (_, .null):
            return value
        case (.boolean, .bool):
            return value
        case (.boolean, .string(let s)):
            // Entra ID's default sends `"value": "False"` for `active`.
            if s.caseInsensitiveEquals("true") { return .bool(true) }
            if s.caseInsensitiveEquals("false") { return .bool(false) }
            throw .invalidValue("\(at): \"\(name)\" is a boolean; send true or false")
        case (.boolean, _):
            throw .invalidValue("\(at): \"\(name)\" is a boolean; send true or false")
        case (.complex, .object(let object)):
            var out = object
            for (key, v) in object.members {
                if let sub = definition.subAttribute(key) { out[key] = try coerceSingle(v, sub, "\(name).\(key)") }
            }
            return .object(out)
        case (.complex, .string), (.complex, .integer), (.complex, .bool), (.complex, .decimal):
            // Entra ID sends the enterprise `manager` as the manager's id alone; a complex
            // attribute with a `value` sub-attribute takes a bare value as that sub-attribute.
            guard definition.subAttribute("value") != nil else {
                throw .invalidValue("\(at): \"\(name)\" is a complex attribute; send an object")
            }
            return .object(["value": value])
        case (.complex, .array(let elements)):
            // Entra ID's older form `[{"value": "<manager id>"}]` for a single complex value.
            guard !definition.multiValued, elements.count == 1, elements[0].objectValue != nil else {
                throw .invalidValue("\(at): \"\(name)\" is a single complex attribute; send an object")
            }
            return try coerceSingle(elements[0], definition, name)
        case (.string, .string), (.dateTime, .string), (.binary, .string), (.reference, .string), (.integer, .integer),
            (.decimal, .integer), (.decimal, .decimal):
            return value
        case (.integer, .decimal(let number)):
            // `7.0` is the whole number 7; `7.5` is not an integer.
            guard let whole = Int64(exactly: number) else {
                throw .invalidValue("\(at): \"\(name)\" is \(Self.expected(definition.type))")
            }
            return .integer(whole)
        case (.string, _), (.dateTime, _), (.binary, _), (.reference, _), (.integer, _), (.decimal, _):
            // RFC 7644 §3.12: invalidValue, "the value specified was not compatible with the
            // operation or attribute type". Storing a number's text in a string attribute
            // would answer a different value from the one sent.
            throw .invalidValue("\(at): \"\(name)\" is \(Self.expected(definition.type))")
        }
    }

    /// What a value of `type` is sent as (RFC 7643 §2.3).
    private static func expected(_ type: AttributeDefinition.DataType) -> String {
        switch type {
        case .string: "a string; send it as a JSON string"
        case .dateTime: "a dateTime; send an RFC 3339 date-time as a JSON string"
        case .binary: "binary; send its base64 as a JSON string"
        case .reference: "a reference; send the URI as a JSON string"
        case .integer: "an integer; send a whole JSON number"
        case .decimal: "a decimal; send a JSON number"
        case .boolean: "a boolean; send true or false"
        case .complex: "a complex attribute; send an object"
        }
    }
}

/// `a` with `b`'s members laid over it when both are objects (Entra ID may send `name` and
/// `name.givenName` in one value); `b` otherwise.
func mergeObjects(_ a: SCIMValue?, _ b: SCIMValue) -> SCIMValue {
    guard case .object(var base)? = a, case .object(let top) = b else { return b }
    for (k, v) in top.members { base[k] = v }
    return .object(base)
}

/// Whether `urn` names the resource type's core schema, whose attributes live at the top
/// level of the resource: the first of `schemas`, or any RFC 7643 core schema URN.
func isCoreSchema(_ urn: String, _ schemas: [SchemaDefinition]) -> Bool {
    if let core = schemas.first, core.id.caseInsensitiveEquals(urn) { return true }
    return urn.lowercased().hasPrefix("urn:ietf:params:scim:schemas:core:")
}
