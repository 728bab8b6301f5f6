import SCIM

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a
/// response carries. `id` and `schemas` are always returned (RFC 7643: `returned: always`).
struct AttributeSelection: Sendable {
    /// One requested name: a whole extension (its URN), or an attribute path.
    private enum Name: Sendable {
        case schemaExtension(String)
        case attribute(AttributePath)
    }

    private var included: [Name] = []
    private var excluded: [Name] = []

    init() {}

    init(attributes: [String], excluded: [String]) throws(SCIMError) {
        included = try Self.names(attributes, parameter: "attributes")
        self.excluded = try Self.names(excluded, parameter: "excludedAttributes")
    }

    /// The most distinct names a request may give in one parameter: more than the schemas
    /// have attributes and sub-attributes. Each name costs work for every resource returned,
    /// so a list of hundreds of thousands would hold a connection for minutes.
    static let maxNames = 200

    /// Each name once (names compare without case, RFC 7643 §2.1), at most ``maxNames``.
    private static func names(_ texts: [String], parameter: String) throws(SCIMError) -> [Name] {
        var seen: Set<String> = []
        var names: [Name] = []
        for text in texts where seen.insert(text.lowercased()).inserted {
            guard seen.count <= maxNames else {
                throw .invalidValue("\(parameter) names more than \(maxNames) attributes; name each at most once")
            }
            names.append(try name(text))
        }
        return names
    }

    private static let extensionURNs = [SchemaURN.enterpriseUser]

    private static func name(_ text: String) throws(SCIMError) -> Name {
        if let urn = extensionURNs.first(where: { $0.caseInsensitiveEquals(text) }) { return .schemaExtension(urn) }
        do {
            var path = try AttributePath.parse(text)
            if let schema = path.schema, schema.caseInsensitiveEquals(SchemaURN.user) || schema.caseInsensitiveEquals(SchemaURN.group) {
                path.schema = nil
            }
            return .attribute(path)
        } catch {
            throw .invalidPath("attributes: \(error)")
        }
    }

    /// Whether a response may carry the core attribute `attribute` (`members`, `groups`):
    /// the caller skips reading what would be dropped.
    func includes(_ attribute: String) -> Bool {
        let named: (Name) -> Bool = { name in
            if case .attribute(let path) = name {
                return path.schema == nil && path.attribute.caseInsensitiveEquals(attribute)
            }
            return false
        }
        if !included.isEmpty { return included.contains(where: named) }
        return !excluded.contains { name in
            if case .attribute(let path) = name { return named(name) && path.subAttribute == nil }
            return false
        }
    }

    /// `resource` with the selection applied.
    func apply(to resource: SCIMResource) -> SCIMResource {
        SCIMResource(apply(to: resource.attributes))
    }

    /// `object` with the selection applied.
    func apply(to object: SCIMObject) -> SCIMObject {
        if !included.isEmpty {
            var result = SCIMObject()
            if let schemas = object["schemas"] { result["schemas"] = schemas }
            if let id = object["id"] { result["id"] = id }
            for name in included {
                copy(name, from: object, into: &result)
            }
            return result
        }
        var result = object
        for name in excluded {
            remove(name, from: &result)
        }
        return result
    }

    private func copy(_ name: Name, from object: SCIMObject, into result: inout SCIMObject) {
        switch name {
        case .schemaExtension(let urn):
            if let value = object[urn] { result[urn] = value }
        case .attribute(let path):
            if let urn = path.schema {
                guard let source = object[urn]?.objectValue else { return }
                var target = result[urn]?.objectValue ?? SCIMObject()
                Self.copy(path, from: source, into: &target)
                if !target.isEmpty { result[urn] = .object(target) }
            } else {
                Self.copy(path, from: object, into: &result)
            }
        }
    }

    private static func copy(_ path: AttributePath, from source: SCIMObject, into target: inout SCIMObject) {
        guard let value = source[path.attribute] else { return }
        guard let sub = path.subAttribute else {
            target[path.attribute] = value
            return
        }
        switch value {
        case .object(let complex):
            guard let subValue = complex[sub] else { return }
            var merged = target[path.attribute]?.objectValue ?? SCIMObject()
            merged[sub] = subValue
            target[path.attribute] = .object(merged)
        case .array(let elements):
            let existing = target[path.attribute]?.arrayValue
            var merged: [SCIMValue] = []
            for (index, element) in elements.enumerated() {
                var kept = existing.flatMap { index < $0.count ? $0[index].objectValue : nil } ?? SCIMObject()
                if let subValue = element.objectValue?[sub] { kept[sub] = subValue }
                merged.append(.object(kept))
            }
            target[path.attribute] = .array(merged)
        case .null, .bool, .integer, .decimal, .string:
            return
        }
    }

    private func remove(_ name: Name, from object: inout SCIMObject) {
        switch name {
        case .schemaExtension(let urn):
            object[urn] = nil
        case .attribute(let path):
            if path.schema == nil, path.subAttribute == nil,
                path.attribute.caseInsensitiveEquals("id") || path.attribute.caseInsensitiveEquals("schemas")
            {
                return
            }
            if let urn = path.schema {
                guard var inner = object[urn]?.objectValue else { return }
                Self.remove(path, from: &inner)
                object[urn] = inner.isEmpty ? nil : .object(inner)
            } else {
                Self.remove(path, from: &object)
            }
        }
    }

    private static func remove(_ path: AttributePath, from object: inout SCIMObject) {
        guard let sub = path.subAttribute else {
            object[path.attribute] = nil
            return
        }
        switch object[path.attribute] {
        case .object(var complex)?:
            complex[sub] = nil
            object[path.attribute] = complex.isEmpty ? nil : .object(complex)
        case .array(let elements)?:
            object[path.attribute] = .array(elements.map { element in
                guard var complex = element.objectValue else { return element }
                complex[sub] = nil
                return .object(complex)
            })
        default:
            return
        }
    }
}
