/// The three PATCH operations on one attribute of one object (the resource or an extension
/// object), RFC 7644 §3.5.2.1–3.
extension PatchEngine {
    /// §3.5.2.1 add: a new attribute is set; a multi-valued one gets the values appended
    /// (skipping ones already present); a complex one gets the sub-attributes merged; a
    /// single-valued one is replaced.
    static func add(_ raw: SCIMValue, at t: PatchTarget, in c: inout SCIMObject) throws(SCIMError) {
        guard let value = withoutNulls(raw) else { return }
        try c.modify(t.attribute) { (current: inout SCIMValue?) throws(SCIMError) in
            if let filter = t.filter {
                var elements = try takeElements(&current, t)
                let matched = filter.matchingIndices(in: elements, of: t.definition)
                if matched.isEmpty {
                    guard var element = elementFromEqualities(filter) else {
                        throw .noTarget(
                            "\"\(t.name)\": the filter matches no element, and only eq terms joined by 'and' can describe a new one")
                    }
                    try fill(&element, with: value, sub: t.subAttribute, t)
                    elements.append(.object(element))
                    clearOtherPrimaries(&elements, touched: [elements.count - 1])
                } else {
                    for i in matched { try update(&elements[i], with: value, sub: t.subAttribute, t) }
                    clearOtherPrimaries(&elements, touched: matched)
                }
                current = .array(elements)
            } else if let sub = t.subAttribute {
                try setSubAttribute(sub, value, in: &current, t)
            } else if isMultiValued(t.definition, current, value) {
                var elements = try takeElements(&current, t)
                let added = appendDistinct(value.arrayValue ?? [value], to: &elements, t)
                clearOtherPrimaries(&elements, touched: added)
                current = elements.isEmpty ? nil : .array(elements)
            } else if case .object(var existing)? = current, case .object(let new) = value {
                for (k, v) in new.members { existing[k] = v }
                current = .object(existing)
            } else {
                current = value
            }
        }
    }

    /// §3.5.2.3 replace: a multi-valued attribute is replaced whole; a complex one gets the
    /// given sub-attributes replaced ("Sub-attributes that are not specified in the value
    /// parameter are left unchanged"); with a filter, the matching elements (or their
    /// sub-attribute) are replaced, and no match is `noTarget`. A missing attribute is added.
    static func replace(_ raw: SCIMValue, at t: PatchTarget, in c: inout SCIMObject) throws(SCIMError) {
        guard let value = withoutNulls(raw) else { return try remove(nil, at: t, in: &c) }
        try c.modify(t.attribute) { (current: inout SCIMValue?) throws(SCIMError) in
            if let filter = t.filter {
                var elements = try takeElements(&current, t)
                let matched = filter.matchingIndices(in: elements, of: t.definition)
                if matched.isEmpty, let sub = t.subAttribute, var element = elementFromEqualities(filter) {
                    // Microsoft Entra ID replaces `emails[type eq "work"].value` on a user that
                    // has no work address and expects it added ("Known issues ... SCIM 2.0
                    // protocol compliance"); a filter of eq terms describes the new element.
                    element[sub] = value
                    elements.append(.object(element))
                    clearOtherPrimaries(&elements, touched: [elements.count - 1])
                    current = .array(elements)
                    return
                }
                guard !matched.isEmpty else {
                    // §3.5.2.3: "If the target location is a multi-valued attribute for which a
                    // value selection filter ("valuePath") has been supplied and no record match
                    // was made, the service provider SHALL indicate failure by returning HTTP
                    // status code 400 and a "scimType" error code of "noTarget"." Kept for
                    // filters that cannot describe a new element.
                    throw .noTarget("\"\(t.name)\": the filter matches no element")
                }
                for i in matched {
                    if let sub = t.subAttribute {
                        try update(&elements[i], with: value, sub: sub, t)
                    } else {
                        guard value.arrayValue == nil else {
                            throw .invalidValue("\"\(t.name)\": replacing filtered elements takes one element, not an array")
                        }
                        elements[i] = value
                    }
                }
                clearOtherPrimaries(&elements, touched: matched)
                current = .array(elements)
            } else if let sub = t.subAttribute {
                try setSubAttribute(sub, value, in: &current, t)
            } else if isMultiValued(t.definition, current, value) {
                let list = value.arrayValue ?? [value]
                current = list.isEmpty ? nil : .array(list)
            } else if case .object(var existing)? = current, case .object(let new) = raw {
                // A null sub-attribute in the replacement unassigns it (RFC 7643 §2.5).
                for (k, v) in new.members {
                    if v.isNull { existing.removeValue(forKey: k) } else { existing[k] = withoutNulls(v) }
                }
                current = existing.isEmpty ? nil : .object(existing)
            } else {
                current = value
            }
        }
    }

    /// §3.5.2.2 remove: the attribute, the elements a filter selects, or a sub-attribute of
    /// them; a multi-valued attribute left without elements is removed. With a `value` list
    /// (Entra ID's `"path": "members", "value": [{"value": "<id>"}]`), the listed elements.
    static func remove(_ value: SCIMValue?, at t: PatchTarget, in c: inout SCIMObject) throws(SCIMError) {
        try c.modify(t.attribute) { (current: inout SCIMValue?) throws(SCIMError) in
            guard let present = current, !present.isNull else {
                current = nil
                return
            }
            if let filter = t.filter {
                guard case .array(var elements) = present else { return }
                current = nil
                let matched = filter.matchingIndices(in: elements, of: t.definition)
                if let sub = t.subAttribute {
                    for i in matched { removeSubAttribute(sub, from: &elements[i]) }
                } else {
                    elements = removing(matched, from: elements)
                }
                current = elements.isEmpty ? nil : .array(elements)
            } else if let sub = t.subAttribute {
                switch present {
                case .array(var elements):
                    current = nil
                    for i in elements.indices { removeSubAttribute(sub, from: &elements[i]) }
                    current = .array(elements)
                case .object(var object):
                    object.removeValue(forKey: sub)
                    current = object.isEmpty ? nil : .object(object)
                case .null, .bool, .integer, .decimal, .string:
                    throw .invalidPath("\"\(t.name)\" has no sub-attributes")
                }
            } else if let value, case .array(let elements) = present {
                current = nil
                let remaining = removingListed(value.arrayValue ?? [value], from: elements, t)
                current = remaining.isEmpty ? nil : .array(remaining)
            } else {
                current = nil
            }
        }
    }
}

// MARK: Helpers

extension PatchTarget {
    /// The target as a client would name it, for error details.
    var name: String { container.map { "\($0):\(attribute)" } ?? attribute }

    /// Whether elements are the same when their `value`s are: group members and a user's
    /// groups point at resources, and a second element for the same resource is a duplicate
    /// whatever its `display` says.
    var identifiedByValue: Bool {
        attribute.caseInsensitiveEquals("members") || attribute.caseInsensitiveEquals("groups")
    }

    /// Whether the `value` sub-attribute compares case-sensitively, as the filter evaluator
    /// decides it, so set lookups agree with `value eq "..."`.
    var valueIsCaseExact: Bool {
        guard let value = definition?.subAttribute("value") else { return false }
        return value.caseExact || value.type == .reference || value.type == .binary
    }

    /// The comparison key of an element's `value` (an element that is not an object is its
    /// own value, as in the filter evaluator); nil when it has no string value.
    func valueKey(_ element: SCIMValue) -> String? {
        let raw: String?
        switch element {
        case .object(let o): raw = o["value"]?.stringValue
        case .string(let s): raw = s
        case .null, .bool, .integer, .decimal, .array: raw = nil
        }
        guard let raw else { return nil }
        return valueIsCaseExact ? raw : raw.lowercased()
    }
}

extension PatchEngine {
    /// `value` with null members (and null elements) dropped, recursively; nil for null itself.
    static func withoutNulls(_ value: SCIMValue) -> SCIMValue? {
        switch value {
        case .null: return nil
        case .bool, .integer, .decimal, .string: return value
        case .array(let elements):
            guard elements.contains(where: needsCleaning) else { return value }
            return .array(elements.compactMap(withoutNulls))
        case .object(let object):
            guard object.members.contains(where: { needsCleaning($0.value) }) else { return value }
            var out = SCIMObject()
            for (k, v) in object.members { if let clean = withoutNulls(v) { out[k] = clean } }
            return .object(out)
        }
    }

    private static func needsCleaning(_ value: SCIMValue) -> Bool {
        switch value {
        case .null: return true
        case .bool, .integer, .decimal, .string: return false
        case .array(let elements): return elements.contains(where: needsCleaning)
        case .object(let object): return object.members.contains { needsCleaning($0.value) }
        }
    }

    /// Multi-valued by definition; without one, when the resource or the value is an array.
    static func isMultiValued(_ definition: AttributeDefinition?, _ current: SCIMValue?, _ value: SCIMValue) -> Bool {
        if let definition { return definition.multiValued }
        if case .array? = current { return true }
        if current == nil, case .array = value { return true }
        return false
    }

    /// Moves the elements out of `current` (leaving nil) so they can be changed without a copy.
    static func takeElements(_ current: inout SCIMValue?, _ t: PatchTarget) throws(SCIMError) -> [SCIMValue] {
        switch current {
        case .array(let elements)?:
            current = nil
            return elements
        case nil, .null?:
            current = nil
            return []
        case .bool?, .integer?, .decimal?, .string?, .object?:
            if t.filter != nil { throw .invalidPath("\"\(t.name)\" is not multi-valued; a value filter needs a list") }
            // A single value where the schema says multi-valued: keep it as the first element.
            let single = current!
            current = nil
            return [single]
        }
    }

    /// Appends the elements not already present and returns where they went. O(existing +
    /// new): membership is a set lookup, so adding to a group of 10,000 members stays linear.
    static func appendDistinct(_ new: [SCIMValue], to elements: inout [SCIMValue], _ t: PatchTarget) -> [Int] {
        var added: [Int] = []
        if t.identifiedByValue {
            var seen = Set(elements.compactMap(t.valueKey))
            for element in new {
                if let key = t.valueKey(element) {
                    guard seen.insert(key).inserted else { continue }
                } else if elements.contains(element) {
                    continue
                }
                added.append(elements.count)
                elements.append(element)
            }
        } else {
            var seen = Set(elements)
            for element in new where seen.insert(element).inserted {
                added.append(elements.count)
                elements.append(element)
            }
        }
        return added
    }

    /// `elements` without the positions in `indices` (ascending, from `matchingIndices`).
    static func removing(_ indices: [Int], from elements: [SCIMValue]) -> [SCIMValue] {
        guard !indices.isEmpty else { return elements }
        var out: [SCIMValue] = []
        out.reserveCapacity(elements.count - indices.count)
        var next = 0
        for (i, element) in elements.enumerated() {
            if next < indices.count && indices[next] == i {
                next += 1
            } else {
                out.append(element)
            }
        }
        return out
    }

    /// `elements` without the listed ones: a listed `{"value": x}` (nulls aside) removes the
    /// elements whose `value` is x, compared as `value eq x` would; any other listed element
    /// removes the elements holding all of its sub-attributes.
    static func removingListed(_ listed: [SCIMValue], from elements: [SCIMValue], _ t: PatchTarget) -> [SCIMValue] {
        var keys = Set<String>()
        var patterns: [SCIMValue] = []
        for raw in listed {
            guard let given = withoutNulls(raw) else { continue }
            if case .object(let o) = given, o.count == 1, o["value"]?.stringValue != nil, let key = t.valueKey(given) {
                keys.insert(key)
            } else if case .string = given, let key = t.valueKey(given) {
                keys.insert(key)
            } else {
                patterns.append(given)
            }
        }
        return elements.filter { element in
            if let key = t.valueKey(element), keys.contains(key) { return false }
            return !patterns.contains { holds(element, $0) }
        }
    }

    /// Whether `element` has every member of `pattern` with an equal value.
    private static func holds(_ element: SCIMValue, _ pattern: SCIMValue) -> Bool {
        guard case .object(let p) = pattern, case .object(let e) = element else { return element == pattern }
        return p.members.allSatisfy { e[$0.key] == $0.value }
    }

    /// RFC 7643 §2.4: "The primary attribute value "true" MUST appear no more than once." When
    /// one of the `touched` elements is primary, every other element stops being primary.
    static func clearOtherPrimaries(_ elements: inout [SCIMValue], touched: [Int]) {
        guard let keep = touched.last(where: { isPrimary(elements[$0]) }) else { return }
        for i in elements.indices where i != keep && isPrimary(elements[i]) {
            if case .object(var o) = elements[i] {
                o["primary"] = .bool(false)
                elements[i] = .object(o)
            }
        }
    }

    private static func isPrimary(_ element: SCIMValue) -> Bool {
        element.objectValue?["primary"]?.boolValue == true
    }

    /// The element a filter of `eq` terms joined by `and` describes, e.g. `{"type": "work"}`
    /// for `type eq "work"`; nil for any other filter.
    static func elementFromEqualities(_ filter: Filter) -> SCIMObject? {
        switch filter {
        case .compare(let path, .eq, let value):
            guard path.schema == nil, path.valueFilter == nil, path.subAttribute == nil, !value.isNull else { return nil }
            return [path.attribute: value]
        case .and(let left, let right):
            guard var l = elementFromEqualities(left), let r = elementFromEqualities(right) else { return nil }
            for (k, v) in r.members {
                if let existing = l[k], existing != v { return nil }
                l[k] = v
            }
            return l
        case .compare, .present, .or, .not, .valuePath:
            return nil
        }
    }

    /// Sets the sub-attribute of an element, or merges an object into it.
    static func update(_ element: inout SCIMValue, with value: SCIMValue, sub: String?, _ t: PatchTarget)
        throws(SCIMError)
    {
        guard case .object(var o) = element else {
            throw .invalidPath("\"\(t.name)\" holds simple values; a sub-attribute or object does not apply")
        }
        try fill(&o, with: value, sub: sub, t)
        element = .object(o)
    }

    private static func fill(_ o: inout SCIMObject, with value: SCIMValue, sub: String?, _ t: PatchTarget)
        throws(SCIMError)
    {
        if let sub {
            o[sub] = value
        } else {
            guard case .object(let new) = value else {
                throw .invalidValue("\"\(t.name)\": the value for filtered elements must be an object")
            }
            for (k, v) in new.members { o[k] = v }
        }
    }

    /// `attribute.sub`: on a complex attribute, sets the sub-attribute (creating the object);
    /// on a multi-valued one without a filter, sets it on every element (creating one when
    /// there are none).
    static func setSubAttribute(_ sub: String, _ value: SCIMValue, in current: inout SCIMValue?, _ t: PatchTarget)
        throws(SCIMError)
    {
        let multi = t.definition?.multiValued ?? false
        switch current {
        case .array(var elements)?:
            current = nil
            if elements.isEmpty { elements = [.object([sub: value])] }
            for i in elements.indices { try update(&elements[i], with: value, sub: sub, t) }
            clearOtherPrimaries(&elements, touched: Array(elements.indices))
            current = .array(elements)
        case .object(var object)?:
            object[sub] = value
            current = .object(object)
        case nil, .null?:
            current = multi ? .array([.object([sub: value])]) : .object([sub: value])
        case .bool?, .integer?, .decimal?, .string?:
            throw .invalidPath("\"\(t.name)\" has no sub-attributes")
        }
    }

    static func removeSubAttribute(_ sub: String, from element: inout SCIMValue) {
        guard case .object(var o) = element else { return }
        o.removeValue(forKey: sub)
        element = .object(o)
    }
}
