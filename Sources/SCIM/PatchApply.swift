/// Applying PATCH operations to a resource (RFC 7644 §3.5.2).
extension SCIMResource {
    /// The resource after `operations`, applied in order.
    ///
    /// Atomic, as RFC 7644 §3.5.2 requires ("if any operation fails, the original resource
    /// remains unmodified"): the operations run on a copy, returned only when all succeed.
    ///
    /// `schemas` are the resource type's schemas, core first; nil picks them from the
    /// resource's `schemas` attribute (`CoreSchemas.schemas(for:)`). They tell multi-valued
    /// from single-valued and complex from simple attributes when the resource and the value
    /// do not show it, and how `value` sub-attributes compare in filters.
    ///
    /// Behaviour beyond the letter of the RFC, chosen for idempotent replays and for the
    /// clients that exist:
    /// - `add` of an element already present is skipped: elements of `members` and `groups`
    ///   are the same when their `value`s are, others when they are equal as JSON.
    /// - `remove` of something absent, or with a filter matching nothing, succeeds unchanged
    ///   (replaying a member removal must not fail); `replace` with a filter matching nothing
    ///   fails with `noTarget` as §3.5.2.3 says.
    /// - `remove` with a `value` list (`"path": "members", "value": [{"value": "<id>"}]`, Entra
    ///   ID's default form) removes the listed elements, not the whole attribute.
    /// - `add` with a filter matching nothing (`emails[type eq "work"].value`, sent by Entra ID
    ///   for users without a work email) creates the element from the filter's `eq` terms.
    /// - Adding or replacing an element with `"primary": true` clears the flag on the others
    ///   (RFC 7643 §2.4: at most one primary value).
    /// - Null members of added values are dropped (RFC 7643 §2.5: null means unassigned); a
    ///   `replace` with a null value removes its target.
    /// - Creating or emptying an extension object lists or unlists its URN in `schemas`.
    public func applying(_ operations: [PatchOperation], schemas: [SchemaDefinition]? = nil) throws(SCIMError)
        -> SCIMResource
    {
        var copy = self
        try copy.apply(operations, schemas: schemas)
        return copy
    }

    /// Applies `operations` in place; on error the resource is left unchanged. See
    /// ``applying(_:schemas:)``.
    public mutating func apply(_ operations: [PatchOperation], schemas: [SchemaDefinition]? = nil) throws(SCIMError) {
        // The engine works on its own copy; `self` changes only when every operation succeeded.
        var engine = PatchEngine(attributes: attributes, schemas: schemas ?? CoreSchemas.schemas(for: attributes))
        for step in PatchBatching.steps(operations) {
            do {
                try engine.apply(step.operation)
            } catch {
                var located = error
                located.detail = "Operations[\(step.index)]: \(error.detail ?? "failed")"
                throw located
            }
        }
        attributes = engine.attributes
    }
}

/// Where an operation lands: a top-level attribute, or one inside an extension object.
struct PatchTarget {
    /// The URN key of the extension object holding the attribute; nil for top level.
    var container: String?
    var attribute: String
    var filter: Filter?
    var subAttribute: String?
    /// The attribute's definition, when the schemas know it.
    var definition: AttributeDefinition?
}

/// The state of one `apply` call: the attributes being changed and the schemas that type them.
struct PatchEngine {
    var attributes: SCIMObject
    let schemas: [SchemaDefinition]

    mutating func apply(_ operation: PatchOperation) throws(SCIMError) {
        guard let path = operation.path else {
            switch operation.op {
            case .remove:
                // RFC 7644 §3.5.2.2: 'If "path" is unspecified, the operation fails with HTTP
                // status code 400 and a "scimType" error code of "noTarget".'
                throw .noTarget("remove needs a \"path\"")
            case .add, .replace:
                try applyPathless(operation.op, operation.value)
            }
            return
        }
        let target = resolve(path)
        if target.definition?.mutability == .readOnly {
            throw .mutability("\"\(path)\" is readOnly and cannot be changed by PATCH")
        }
        switch operation.op {
        case .add:
            guard let value = operation.value else { throw .invalidValue("add needs a \"value\"") }
            try withContainer(target.container) { (c: inout SCIMObject) throws(SCIMError) in
                try Self.add(value, at: target, in: &c)
            }
        case .replace:
            guard let value = operation.value else { throw .invalidValue("replace needs a \"value\"") }
            try withContainer(target.container) { (c: inout SCIMObject) throws(SCIMError) in
                if value.isNull {
                    try Self.remove(nil, at: target, in: &c)
                } else {
                    try Self.replace(value, at: target, in: &c)
                }
            }
        case .remove:
            try withContainer(target.container) { (c: inout SCIMObject) throws(SCIMError) in
                try Self.remove(operation.value, at: target, in: &c)
            }
        }
    }

    /// RFC 7644 §3.5.2.1/3 without a path: the value is an object of attributes, each added
    /// or replaced as if named by a path; extension objects (keyed by URN) per attribute.
    private mutating func applyPathless(_ op: PatchOperation.Kind, _ value: SCIMValue?) throws(SCIMError) {
        guard let object = value?.objectValue else {
            throw .invalidValue("without \"path\", \"value\" must be an object of attributes")
        }
        let coercion = Coercion(schemas: schemas, at: "value")
        let normalised = try coercion.normalise(object)
        for (key, v) in normalised.members {
            if coercion.isExtensionKey(key, v), let inner = v.objectValue {
                for (attribute, av) in inner.members {
                    try applyNamed(op, av, AttributePath(schema: key, attribute: attribute))
                }
            } else {
                try applyNamed(op, v, AttributePath(attribute: key))
            }
        }
    }

    private mutating func applyNamed(_ op: PatchOperation.Kind, _ value: SCIMValue, _ path: AttributePath)
        throws(SCIMError)
    {
        let target = resolve(path)
        if target.definition?.mutability == .readOnly {
            // Clients echo read-only attributes (`id`, `meta`) back unchanged; only a change fails.
            let current = target.container.map { attributes[$0]?.objectValue?[target.attribute] } ?? attributes[target.attribute]
            if current == value { return }
            throw .mutability("\"\(path)\" is readOnly and cannot be changed by PATCH")
        }
        try withContainer(target.container) { (c: inout SCIMObject) throws(SCIMError) in
            switch op {
            case .add: try Self.add(value, at: target, in: &c)
            case .replace:
                if value.isNull { try Self.remove(nil, at: target, in: &c) } else { try Self.replace(value, at: target, in: &c) }
            case .remove: try Self.remove(nil, at: target, in: &c)
            }
        }
    }

    /// The target of `path`. A core schema URN prefix names a top-level attribute; any other
    /// URN names the extension object stored under it (RFC 7644 §3.10). A path that is an
    /// extension URN alone (`urn:...:enterprise:2.0:User`) names the extension object itself.
    func resolve(_ path: AttributePath) -> PatchTarget {
        var container: String? = nil
        var attribute = path.attribute
        if let schema = path.schema, !isCoreSchema(schema, schemas) {
            let whole = "\(schema):\(path.attribute)"
            let isExtensionItself =
                schemas.dropFirst().contains { $0.id.caseInsensitiveEquals(whole) } || attributes.index(of: whole) != nil
            if isExtensionItself { attribute = whole } else { container = schema }
        }
        let definition = CoreSchemas.topLevelDefinition(schema: container, attribute: attribute, in: schemas)
        return PatchTarget(
            container: container, attribute: attribute, filter: path.valueFilter, subAttribute: path.subAttribute,
            definition: definition)
    }

    /// Runs `body` on the top-level object or on the extension object `container`, creating
    /// it as needed and keeping `schemas` in step: an extension object in use is listed there
    /// (RFC 7643 §3), one left empty is removed with its URN.
    private mutating func withContainer(_ container: String?, _ body: (inout SCIMObject) throws(SCIMError) -> Void)
        throws(SCIMError)
    {
        guard let container else {
            try body(&attributes)
            return
        }
        let existed = attributes[container] != nil
        try attributes.modify(container) { (slot: inout SCIMValue?) throws(SCIMError) in
            var object: SCIMObject
            switch slot {
            case .object(let o)?: object = o
            case nil, .null?: object = SCIMObject()
            case .bool?, .integer?, .decimal?, .string?, .array?:
                throw .invalidValue("\"\(container)\" holds a value that is not an extension object")
            }
            slot = nil
            try body(&object)
            slot = object.isEmpty ? nil : .object(object)
        }
        let exists = attributes[container] != nil
        if exists && !existed { setListed(container, true) }
        if existed && !exists { setListed(container, false) }
    }

    private mutating func setListed(_ urn: String, _ listed: Bool) {
        var list = attributes["schemas"]?.arrayValue ?? []
        let position = list.firstIndex { $0.stringValue?.caseInsensitiveEquals(urn) ?? false }
        switch (listed, position) {
        case (true, nil): list.append(.string(urn))
        case (false, let i?): list.remove(at: i)
        case (true, _?), (false, nil): return
        }
        attributes["schemas"] = .array(list)
    }
}
