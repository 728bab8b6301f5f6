import SCIM

/// The PATCH operations (RFC 7644 §3.5.2) that turn the resource a row described before an
/// update into the one it describes after, touching only the mapped attributes that changed.
///
/// - A plain or complex sub-attribute (`displayName`, `name.givenName`) that changed is
///   `replace`d (which adds it when absent, §3.5.2.3), or `remove`d when it became NULL.
/// - An element of a multi-valued attribute (`emails[type eq "work"].value`) that appears is
///   `add`ed to the attribute as a whole element, because `replace` through a value filter
///   that matches nothing fails with `noTarget` (§3.5.2.3); one that disappears is removed
///   through its filter (`emails[type eq "work"]`); one that changes gets `replace`/`remove`
///   on the changed sub-attributes.
/// - For users, `active` is not patched: its new value is reported in ``active`` and becomes a
///   deactivate or reactivate op, which targets implement their own way.
struct AttributeDiff {
    var operations: [PatchOperation] = []
    /// The new value of a user's `active`, when it changed to true or false.
    var active: Bool?

    /// The operations that turn the resource `before` describes into the one `after` does.
    ///
    /// Column by column through the map's ``RowDiffPlan`` when it has one; through both rows'
    /// resources otherwise, and when a value does not convert, so that the error is the one
    /// building the resources meets first.
    init(mapper: RowMapper, before: Row, after: Row) throws(RowMappingError) {
        if let plan = mapper.plan.diff, let diff = try? AttributeDiff(plan: plan, zone: mapper.zone, before: before, after: after) {
            self = diff
            return
        }
        self.init(mapper: mapper, old: try mapper.resource(from: before), new: try mapper.resource(from: after))
    }

    /// The operations that turn `old` into `new` on the attributes `mapper` maps.
    init(mapper: RowMapper, old: SCIMResource, new: SCIMResource) {
        var donePaths: Set<AttributePath> = []
        var doneElements: Set<ElementGroup> = []
        for entry in mapper.attributes.entries where !entry.path.isID {
            let path = entry.path.normalized
            if let group = ElementGroup(path) {
                guard doneElements.insert(group).inserted else { continue }
                diffElement(group, mapper: mapper, old: old, new: new)
            } else {
                guard donePaths.insert(path).inserted else { continue }
                let was = mapper.lookup(path, in: old)
                let now = mapper.lookup(path, in: new)
                guard was != now else { continue }
                if mapper.kind == .user, path.isCore, path.subAttribute == nil,
                    path.attribute.caseInsensitiveEquals("active"), case .bool(let flag) = now
                {
                    active = flag
                } else if now.isNull {
                    operations.append(PatchOperation(op: .remove, path: path))
                } else {
                    operations.append(PatchOperation(op: .replace, path: path, value: now))
                }
            }
        }
    }

    private mutating func diffElement(_ group: ElementGroup, mapper: RowMapper, old: SCIMResource, new: SCIMResource) {
        // The element's mapped sub-attributes, in map order.
        var subs: [String] = []
        for entry in mapper.attributes.entries {
            let path = entry.path.normalized
            guard ElementGroup(path) == group, let sub = path.subAttribute,
                !subs.contains(where: { $0.caseInsensitiveEquals(sub) })
            else { continue }
            subs.append(sub)
        }
        let subPaths = subs.map { group.path(subAttribute: $0) }
        let was = subPaths.map { mapper.lookup($0, in: old) }
        let now = subPaths.map { mapper.lookup($0, in: new) }
        guard was != now else { return }
        let attributePath = group.path(subAttribute: nil, filtered: false)
        if was.allSatisfy(\.isNull) {
            var element = group.filter.map(EqualityFilter.template) ?? SCIMObject()
            for (sub, value) in zip(subs, now) where !value.isNull { element[sub] = value }
            operations.append(PatchOperation(op: .add, path: attributePath, value: [.object(element)]))
        } else if now.allSatisfy(\.isNull) {
            operations.append(PatchOperation(op: .remove, path: group.path(subAttribute: nil)))
        } else {
            for (index, path) in subPaths.enumerated() where was[index] != now[index] {
                if now[index].isNull {
                    operations.append(PatchOperation(op: .remove, path: path))
                } else {
                    operations.append(PatchOperation(op: .replace, path: path, value: now[index]))
                }
            }
        }
    }
}

/// The element of a multi-valued attribute that map entries share: same schema, attribute
/// and value filter (`emails[type eq "work"].value` and `emails[type eq "work"].display`).
struct ElementGroup: Hashable {
    var schema: String?
    var attribute: String
    var filter: Filter?

    /// Nil for paths that do not name an element of a multi-valued attribute.
    init?(_ path: AttributePath) {
        guard path.valueFilter != nil || (path.subAttribute != nil && isMultiValued(path)) else { return nil }
        schema = path.extensionSchema
        attribute = path.attribute
        filter = path.valueFilter
    }

    /// The path of the element's sub-attribute (or of the element itself when nil); with
    /// `filtered` false, the path of the whole multi-valued attribute.
    func path(subAttribute: String?, filtered: Bool = true) -> AttributePath {
        AttributePath(
            schema: schema, attribute: attribute, valueFilter: filtered ? filter : nil, subAttribute: subAttribute)
    }

    static func == (lhs: ElementGroup, rhs: ElementGroup) -> Bool {
        sameName(lhs.schema, rhs.schema) && lhs.attribute.caseInsensitiveEquals(rhs.attribute)
            && lhs.filter == rhs.filter
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(schema?.lowercased())
        hasher.combine(attribute.lowercased())
        hasher.combine(filter)
    }
}
