/// Evaluating filters against resources (RFC 7644 §3.4.2.2).
extension Filter {
    /// Whether `resource` (a resource's JSON object) matches this filter.
    ///
    /// `schemas` names the resource type's core schema first and its extensions after it
    /// (see `CoreSchemas`). It decides how URN-prefixed paths resolve: the core schema's URN
    /// reads top-level attributes (`urn:ietf:params:scim:schemas:core:2.0:User:userName` is
    /// `userName`), any other URN reads the extension object stored under that URN
    /// (`urn:...:enterprise:2.0:User:employeeNumber` reads
    /// `resource["urn:...:enterprise:2.0:User"]["employeeNumber"]`). The definitions decide
    /// case sensitivity and how strings compare (`dateTime` chronologically).
    ///
    /// Rules, after §3.4.2.2:
    /// - A multi-valued attribute matches when any of its values does. A comparison without a
    ///   sub-attribute on a multi-valued complex attribute compares each element's `value`
    ///   (`emails co "example.com"`); `gt`/`ge`/`lt`/`le` there, and any comparison on a
    ///   single complex value, is false.
    /// - `pr`: present and not null, not an empty string, array or object.
    /// - Strings compare ignoring case unless the attribute is `caseExact`, a `reference`
    ///   (§2.3.7 "A reference is case exact") or `binary`; unknown attributes ignore case.
    ///   `gt`/`ge`/`lt`/`le` order strings lexicographically, `dateTime` values as instants.
    /// - Numbers compare numerically, integers against decimals exactly; booleans only with
    ///   `eq`/`ne`; values of different types never match; `co`/`sw`/`ew` need strings.
    /// - `eq null` matches an absent or null attribute, `ne null` one with a value.
    /// - `ne` on a multi-valued attribute matches when any value differs; an absent attribute
    ///   matches no comparison other than `eq null`.
    /// - `emails[type eq "work" and value co "@example.com"]` needs one element that satisfies
    ///   the whole bracketed filter.
    /// - Attribute names and schema URNs compare without regard to case.
    public func matches(_ resource: SCIMObject, schemas: [SchemaDefinition]) -> Bool {
        FilterEvaluator(schemas: schemas).evaluate(self, on: resource, scope: .resource)
    }

    /// `matches(_:schemas:)` with the RFC 7643 schemas of the resource's type: Group when its
    /// `schemas` attribute lists the Group URN, User with the enterprise extension otherwise.
    public func matches(_ resource: SCIMObject) -> Bool {
        matches(resource, schemas: CoreSchemas.schemas(for: resource))
    }

    public func matches(_ resource: SCIMResource, schemas: [SchemaDefinition]) -> Bool {
        matches(resource.attributes, schemas: schemas)
    }

    public func matches(_ resource: SCIMResource) -> Bool {
        matches(resource.attributes)
    }

    /// Positions of the elements of a multi-valued attribute that this value filter selects,
    /// in order: for PATCH paths such as `members[value eq "2819c223"]` or
    /// `emails[type eq "work"]` (RFC 7644 §3.5.2), the filter being the part in brackets.
    ///
    /// Paths in the filter are relative to an element (`type`, `value`); `attribute` is the
    /// multi-valued attribute's definition (e.g. from `CoreSchemas.definition(of:in:)`), used
    /// for the sub-attributes' case sensitivity and types; nil compares strings ignoring case.
    /// An element that is not an object (a multi-valued simple attribute) is seen as
    /// `{"value": element}`.
    public func matchingIndices(in elements: [SCIMValue], of attribute: AttributeDefinition?) -> [Int] {
        let evaluator = FilterEvaluator(schemas: [])
        return elements.indices.filter { evaluator.elementMatches(self, elements[$0], parent: attribute) }
    }

    /// Whether one element of a multi-valued attribute satisfies this value filter; see
    /// `matchingIndices(in:of:)`.
    public func matches(element: SCIMValue, of attribute: AttributeDefinition?) -> Bool {
        FilterEvaluator(schemas: []).elementMatches(self, element, parent: attribute)
    }
}

extension CoreSchemas {
    /// The schemas of `resource`'s type by its `schemas` attribute: `groupSchemas` when it
    /// lists `urn:ietf:params:scim:schemas:core:2.0:Group`, `userSchemas` otherwise.
    public static func schemas(for resource: SCIMObject) -> [SchemaDefinition] {
        let listed = resource["schemas"]?.arrayValue ?? []
        let isGroup = listed.contains { $0.stringValue?.caseInsensitiveEquals(SchemaURN.group) ?? false }
        return isGroup ? groupSchemas : userSchemas
    }
}

/// The evaluation itself; one value per `matches` call.
struct FilterEvaluator {
    let schemas: [SchemaDefinition]

    /// Where attribute paths start: the resource, or an element of a multi-valued attribute
    /// inside `[...]`, whose paths name sub-attributes of `parent`.
    enum Scope {
        case resource
        case element(parent: AttributeDefinition?)
    }

    /// Values a path selects, with the definition that applies to them.
    struct Selection {
        var values: [SCIMValue] = []
        var definition: AttributeDefinition?
        /// The values are elements of a multi-valued attribute, reached without a sub-attribute.
        var areMultiValuedElements = false
    }

    func evaluate(_ filter: Filter, on object: SCIMObject, scope: Scope) -> Bool {
        switch filter {
        case .and(let left, let right):
            return evaluate(left, on: object, scope: scope) && evaluate(right, on: object, scope: scope)
        case .or(let left, let right):
            return evaluate(left, on: object, scope: scope) || evaluate(right, on: object, scope: scope)
        case .not(let inner):
            return !evaluate(inner, on: object, scope: scope)
        case .present(let path):
            return select(path, in: object, scope: scope).values.contains(where: Self.isPresent)
        case .compare(let path, let op, let operand):
            return compare(select(path, in: object, scope: scope), op, operand, hasSubAttribute: path.subAttribute != nil)
        case .valuePath(let path, let inner):
            let selection = select(path, in: object, scope: scope)
            return selection.values.contains { elementMatches(inner, $0, parent: selection.definition) }
        }
    }

    /// One element against a bracketed filter; a simple element stands for `{"value": element}`.
    func elementMatches(_ filter: Filter, _ element: SCIMValue, parent: AttributeDefinition?) -> Bool {
        switch element {
        case .object(let object):
            return evaluate(filter, on: object, scope: .element(parent: parent))
        case .null:
            return false
        case .bool, .integer, .decimal, .string, .array:
            return evaluate(filter, on: ["value": element], scope: .element(parent: parent))
        }
    }

    // MARK: Selecting values

    func select(_ path: AttributePath, in object: SCIMObject, scope: Scope) -> Selection {
        let container: SCIMObject?
        let definition: AttributeDefinition?
        switch scope {
        case .resource:
            container = self.container(for: path.schema, in: object)
            definition = CoreSchemas.topLevelDefinition(schema: path.schema, attribute: path.attribute, in: schemas)
        case .element(let parent):
            container = object
            definition = Self.subDefinition(path.attribute, of: parent)
        }
        guard let raw = container?[path.attribute] else { return Selection(definition: definition) }

        var elements = Self.flatten(raw)
        let isMultiValued = raw.arrayValue != nil || definition?.multiValued == true
        if let valueFilter = path.valueFilter {
            elements = elements.filter { elementMatches(valueFilter, $0, parent: definition) }
        }
        guard let sub = path.subAttribute else {
            return Selection(values: elements, definition: definition, areMultiValuedElements: isMultiValued)
        }
        let values = elements.flatMap { element -> [SCIMValue] in
            guard let value = element.objectValue?[sub] else { return [] }
            return Self.flatten(value)
        }
        return Selection(values: values, definition: definition?.subAttribute(sub))
    }

    /// The object holding the attributes of `schema`: the resource itself for no URN or the
    /// core schema's URN, else the extension object stored under the URN (RFC 7643 §3.3).
    private func container(for schema: String?, in object: SCIMObject) -> SCIMObject? {
        guard let schema else { return object }
        if let core = schemas.first, schema.caseInsensitiveEquals(core.id) { return object }
        if let extensionObject = object[schema]?.objectValue { return extensionObject }
        // A resource of a type we were given no schemas for: its `schemas` attribute lists its
        // core schema first (as every example in RFC 7643 §8 does).
        if schemas.isEmpty, let first = object["schemas"]?.arrayValue?.first?.stringValue,
            first.caseInsensitiveEquals(schema)
        {
            return object
        }
        return nil
    }

    /// A sub-attribute's definition; `value` of a simple multi-valued attribute is the
    /// attribute itself (its elements are seen as `{"value": element}`).
    private static func subDefinition(_ name: String, of parent: AttributeDefinition?) -> AttributeDefinition? {
        guard let parent else { return nil }
        if parent.type != .complex, name.caseInsensitiveEquals("value") { return parent }
        return parent.subAttribute(name)
    }

    /// Array elements (or the value itself), without nulls.
    private static func flatten(_ value: SCIMValue) -> [SCIMValue] {
        switch value {
        case .array(let elements): return elements.filter { !$0.isNull }
        case .null: return []
        case .bool, .integer, .decimal, .string, .object: return [value]
        }
    }

    // MARK: Presence

    /// §3.4.2.2 `pr`: "If the attribute has a non-empty value, or if it contains a non-empty
    /// node for complex attributes, there is a match."
    static func isPresent(_ value: SCIMValue) -> Bool {
        switch value {
        case .null: return false
        case .string(let s): return !s.isEmpty
        case .array(let elements): return elements.contains(where: isPresent)
        case .object(let object): return object.members.contains { isPresent($0.value) }
        case .bool, .integer, .decimal: return true
        }
    }

    // MARK: Comparisons

    private func compare(_ selection: Selection, _ op: ComparisonOperator, _ operand: SCIMValue, hasSubAttribute: Bool)
        -> Bool
    {
        if operand.isNull {
            switch op {
            case .eq: return selection.values.isEmpty
            case .ne: return !selection.values.isEmpty
            case .co, .sw, .ew, .gt, .ge, .lt, .le: return false
            }
        }
        for value in selection.values {
            var value = value
            var definition = selection.definition
            if case .object(let object) = value {
                // `emails co "example.com"`: a multi-valued complex attribute named without a
                // sub-attribute stands for its elements' `value` (the §3.4.2.2 examples).
                // Ordering a complex value is meaningless and never matches.
                guard selection.areMultiValuedElements, !hasSubAttribute, let inner = object["value"] else { continue }
                switch op {
                case .eq, .ne, .co, .sw, .ew: break
                case .gt, .ge, .lt, .le: continue
                }
                value = inner
                definition = definition?.subAttribute("value")
            }
            if Self.compareScalar(value, op, operand, definition) { return true }
        }
        return false
    }

    static func compareScalar(
        _ value: SCIMValue, _ op: ComparisonOperator, _ operand: SCIMValue, _ definition: AttributeDefinition?
    ) -> Bool {
        switch (value, operand) {
        case (.string(let a), .string(let b)):
            return compareStrings(a, op, b, definition)
        case (.integer, .integer), (.integer, .decimal), (.decimal, .integer), (.decimal, .decimal):
            guard let order = compareNumbers(value, operand) else { return false }
            return ordered(order, op)
        case (.bool(let a), .bool(let b)):
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            // §3.4.2.2: ordering or substrings on booleans are invalid; they never match.
            case .co, .sw, .ew, .gt, .ge, .lt, .le: return false
            }
        default:
            return false
        }
    }

    private static func compareStrings(_ a: String, _ op: ComparisonOperator, _ b: String, _ definition: AttributeDefinition?)
        -> Bool
    {
        let type = definition?.type
        if type == .dateTime, let x = SCIMDateTime(rfc3339: a), let y = SCIMDateTime(rfc3339: b) {
            switch op {
            case .eq, .ne, .gt, .ge, .lt, .le:
                return ordered(x < y ? -1 : (x == y ? 0 : 1), op)
            case .co, .sw, .ew:
                break
            }
        }
        if type == .binary {
            // §3.4.2.2: gt/ge/lt/le on binary attributes are invalid; they never match.
            switch op {
            case .gt, .ge, .lt, .le: return false
            case .eq, .ne, .co, .sw, .ew: break
            }
        }
        let exact = definition.map { $0.caseExact || $0.type == .reference || $0.type == .binary } ?? false
        let x = exact ? a : a.lowercased()
        let y = exact ? b : b.lowercased()
        switch op {
        case .eq: return x == y
        case .ne: return x != y
        case .co: return x.contains(y)
        case .sw: return x.hasPrefix(y)
        case .ew: return x.hasSuffix(y)
        case .gt: return x > y
        case .ge: return x >= y
        case .lt: return x < y
        case .le: return x <= y
        }
    }

    /// Whether `order` (-1, 0, 1: value against operand) satisfies `op`; substrings never do.
    private static func ordered(_ order: Int, _ op: ComparisonOperator) -> Bool {
        switch op {
        case .eq: return order == 0
        case .ne: return order != 0
        case .gt: return order > 0
        case .ge: return order >= 0
        case .lt: return order < 0
        case .le: return order <= 0
        case .co, .sw, .ew: return false
        }
    }

    /// -1, 0 or 1; exact across integers and decimals (no rounding of large integers); nil for NaN.
    static func compareNumbers(_ a: SCIMValue, _ b: SCIMValue) -> Int? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)):
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.decimal(let x), .decimal(let y)):
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        case (.integer(let x), .decimal(let y)):
            return compare(x, y)
        case (.decimal(let x), .integer(let y)):
            return compare(y, x).map { -$0 }
        default:
            return nil
        }
    }

    private static func compare(_ i: Int64, _ d: Double) -> Int? {
        if d.isNaN { return nil }
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = d.rounded(.towardZero)
        let w = Int64(whole)
        if i != w { return i < w ? -1 : 1 }
        let fraction = d - whole
        return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0)
    }
}
