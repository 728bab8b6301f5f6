/// The PATCH operations (RFC 7644 §3.5.2) that turn `a` into `b`, few and small:
///
/// - a changed single-valued attribute is a `replace`; inside a complex attribute, one per
///   changed sub-attribute (`name.givenName`);
/// - an attribute only in `b` is an `add`, one only in `a` a `remove`;
/// - `members` (and a user's `groups`), identified by `value`: one `remove` with
///   `members[value eq "x"]` per member that left, then one `add` of all that joined; a
///   member whose other sub-attributes changed leaves and rejoins. Their order is not
///   significant;
/// - any other multi-valued attribute (`emails`, ...) that changed is replaced whole;
/// - extension objects are compared attribute by attribute, with URN-prefixed paths
///   (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`);
/// - `id`, `meta` and read-only attributes are ignored, and so is the order of `schemas`;
///   `schemas` is replaced only when it differs beyond the extension URNs that applying the
///   operations lists or unlists by itself.
///
/// Attribute names compare case-insensitively, and null, `[]` and `{}` count as absent (RFC
/// 7643 §2.5). `schemas` are the resource type's schemas, core first; nil picks them from
/// `b`'s `schemas` attribute. Applying the result to `a` with ``SCIMResource/applying(_:schemas:)``
/// gives `b` (up to member order and the order of object members).
public func patchOperations(from a: SCIMResource, to b: SCIMResource, schemas: [SchemaDefinition]? = nil)
    -> [PatchOperation]
{
    var differ = ResourceDiffer(schemas: schemas ?? CoreSchemas.schemas(for: b.attributes))
    differ.diff(a.attributes, b.attributes)
    return differ.operations
}

struct ResourceDiffer {
    let schemas: [SchemaDefinition]
    var operations: [PatchOperation] = []

    init(schemas: [SchemaDefinition]) { self.schemas = schemas }

    mutating func diff(_ a: SCIMObject, _ b: SCIMObject) {
        let coercion = Coercion(schemas: schemas, at: "")
        for key in unionOfKeys(a, b) {
            if key.caseInsensitiveEquals("id") || key.caseInsensitiveEquals("meta") || key.caseInsensitiveEquals("schemas") {
                continue
            }
            let va = Self.present(a[key])
            let vb = Self.present(b[key])
            if let sample = vb ?? va, coercion.isExtensionKey(key, sample),
                va == nil || va?.objectValue != nil, vb == nil || vb?.objectValue != nil
            {
                diffExtension(key, va?.objectValue ?? SCIMObject(), vb?.objectValue ?? SCIMObject())
            } else {
                diffAttribute(AttributePath(attribute: key), va, vb)
            }
        }
        diffSchemas(a, b, coercion)
    }

    private mutating func diffExtension(_ urn: String, _ a: SCIMObject, _ b: SCIMObject) {
        for attribute in unionOfKeys(a, b) {
            diffAttribute(AttributePath(schema: urn, attribute: attribute), Self.present(a[attribute]), Self.present(b[attribute]))
        }
    }

    private mutating func diffAttribute(_ path: AttributePath, _ a: SCIMValue?, _ b: SCIMValue?) {
        let definition = CoreSchemas.topLevelDefinition(schema: path.schema, attribute: path.attribute, in: schemas)
        if definition?.mutability == .readOnly { return }
        switch (a, b) {
        case (nil, nil):
            return
        case (nil, let new?):
            // `add` skips elements already present, so a list holding the same element twice
            // (or, for members, the same value twice) only arrives whole with `replace`.
            let target = PatchTarget(attribute: path.attribute, definition: definition)
            let op: PatchOperation.Kind = Self.hasRepeats(new, target) ? .replace : .add
            operations.append(PatchOperation(op: op, path: path, value: new))
        case (_?, nil):
            operations.append(PatchOperation(op: .remove, path: path))
        case (let old?, let new?):
            guard old != new else { return }
            let multi = definition?.multiValued ?? (old.arrayValue != nil || new.arrayValue != nil)
            switch (old, new) {
            case (.array(let x), .array(let y)) where multi:
                let target = PatchTarget(attribute: path.attribute, definition: definition)
                if target.identifiedByValue, diffByValue(path, x, y, target) { return }
                operations.append(PatchOperation(op: .replace, path: path, value: new))
            case (.object(let x), .object(let y)) where !multi:
                diffComplex(path, x, y)
            case (.array, _), (_, .array):
                // The shape changed (one value against a list): a replace would merge or wrap.
                operations.append(PatchOperation(op: .remove, path: path))
                operations.append(PatchOperation(op: .add, path: path, value: new))
            case (.object, _), (_, .object), (.null, _), (.bool, _), (.integer, _), (.decimal, _), (.string, _):
                operations.append(PatchOperation(op: .replace, path: path, value: new))
            }
        }
    }

    /// Sub-attribute by sub-attribute: `replace` merges a complex value, so a removed
    /// sub-attribute needs its own `remove`.
    private mutating func diffComplex(_ path: AttributePath, _ a: SCIMObject, _ b: SCIMObject) {
        for sub in unionOfKeys(a, b) {
            var subPath = path
            subPath.subAttribute = sub
            switch (Self.present(a[sub]), Self.present(b[sub])) {
            case (nil, nil): continue
            case (nil, let new?): operations.append(PatchOperation(op: .add, path: subPath, value: new))
            case (_?, nil): operations.append(PatchOperation(op: .remove, path: subPath))
            case (let old?, let new?):
                if old != new { operations.append(PatchOperation(op: .replace, path: subPath, value: new)) }
            }
        }
    }

    /// Members that left (`remove members[value eq "x"]` each) and joined (one `add`).
    /// Returns false, having added nothing, when the lists cannot be keyed by `value`
    /// (an element without a string `value`, or two elements with the same one).
    private mutating func diffByValue(_ path: AttributePath, _ a: [SCIMValue], _ b: [SCIMValue], _ t: PatchTarget)
        -> Bool
    {
        guard let old = Self.keyed(a, t), let new = Self.keyed(b, t) else { return false }
        var removals: [PatchOperation] = []
        for element in a {
            let key = t.valueKey(element)!
            if let kept = new[key], kept == element { continue }
            var removal = path
            let raw = element.objectValue?["value"] ?? element
            removal.valueFilter = .compare(AttributePath(attribute: "value"), .eq, raw)
            removals.append(PatchOperation(op: .remove, path: removal))
        }
        let joined = b.filter { element in
            guard let previous = old[t.valueKey(element)!] else { return true }
            return previous != element
        }
        operations += removals
        if !joined.isEmpty { operations.append(PatchOperation(op: .add, path: path, value: .array(joined))) }
        return true
    }

    private static func hasRepeats(_ value: SCIMValue, _ t: PatchTarget) -> Bool {
        guard case .array(let elements) = value, elements.count > 1 else { return false }
        if t.identifiedByValue {
            var seen = Set<String>()
            for element in elements {
                if let key = t.valueKey(element), !seen.insert(key).inserted { return true }
            }
        }
        return Set(elements).count < elements.count
    }

    private static func keyed(_ elements: [SCIMValue], _ t: PatchTarget) -> [String: SCIMValue]? {
        var out: [String: SCIMValue] = [:]
        out.reserveCapacity(elements.count)
        for element in elements {
            guard let key = t.valueKey(element), out.updateValue(element, forKey: key) == nil else { return nil }
        }
        return out
    }

    /// `schemas`, compared as a set, after the extension URNs that applying the operations
    /// lists (extension created) or unlists (extension emptied) by itself.
    private mutating func diffSchemas(_ a: SCIMObject, _ b: SCIMObject, _ coercion: Coercion) {
        let listedA = a["schemas"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let listedB = b["schemas"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var expected = Set(listedA.map { $0.lowercased() })
        for key in unionOfKeys(a, b) {
            let inA = Self.present(a[key]).map { coercion.isExtensionKey(key, $0) } ?? false
            let inB = Self.present(b[key]).map { coercion.isExtensionKey(key, $0) } ?? false
            if inB && !inA && a[key] == nil { expected.insert(key.lowercased()) }
            if inA && !inB { expected.remove(key.lowercased()) }
        }
        if expected != Set(listedB.map { $0.lowercased() }) {
            operations.append(PatchOperation(op: .replace, path: AttributePath(attribute: "schemas"), value: b["schemas"] ?? .array([])))
        }
    }

    /// Keys of `a` in order, then those only in `b`, in `b`'s order; each once, ignoring case.
    private func unionOfKeys(_ a: SCIMObject, _ b: SCIMObject) -> [String] {
        var keys = a.keys
        for key in b.keys where a.index(of: key) == nil { keys.append(key) }
        return keys
    }

    /// nil for absent, null, `[]` and `{}`: RFC 7643 §2.5 treats them alike.
    static func present(_ value: SCIMValue?) -> SCIMValue? {
        switch value {
        case nil, .null?: return nil
        case .array(let elements)? where elements.isEmpty: return nil
        case .object(let object)? where object.isEmpty: return nil
        case let other?: return other
        }
    }
}

extension PatchTarget {
    init(attribute: String, definition: AttributeDefinition?) {
        self.init(container: nil, attribute: attribute, filter: nil, subAttribute: nil, definition: definition)
    }
}
