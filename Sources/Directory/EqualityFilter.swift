import SCIM

/// The value filters an attribute map can use: `eq` comparisons joined by `and`, such as
/// `emails[type eq "work" and primary eq true].value`. Such a filter both selects an element
/// of a multi-valued attribute and says how to build one: `{"type": "work", "primary": true}`.
enum EqualityFilter {
    /// The attribute/value pairs of an `eq`-and-`and` filter, in filter order; nil for any
    /// other filter (`ne`, `or`, `pr`, nested paths, sub-attributes), which selects elements
    /// but cannot build one.
    static func pairs(_ filter: Filter) -> [(name: String, value: SCIMValue)]? {
        switch filter {
        case .compare(let path, .eq, let value):
            guard path.schema == nil, path.valueFilter == nil, path.subAttribute == nil else { return nil }
            return [(path.attribute, value)]
        case .and(let lhs, let rhs):
            guard let l = pairs(lhs), let r = pairs(rhs) else { return nil }
            return l + r
        case .compare, .present, .or, .not, .valuePath:
            return nil
        }
    }

    /// The element a filter builds: its pairs as an object.
    static func template(_ filter: Filter) -> SCIMObject {
        SCIMObject((pairs(filter) ?? []).map { ($0.name, $0.value) })
    }

    /// Whether `element` of the multi-valued attribute `attribute` satisfies `filter`, by the
    /// SCIM evaluator (case-exactness from the schema).
    static func matches(_ element: SCIMObject, _ filter: Filter, in attribute: AttributePath) -> Bool {
        let definition = attributeDefinition(for: AttributePath(schema: attribute.schema, attribute: attribute.attribute))
        return filter.matches(element: .object(element), of: definition)
    }

    /// Whether two filters can pick the same element: false only when both are equality
    /// filters that demand different values for one attribute (`type eq "work"` and
    /// `type eq "home"`).
    static func mayOverlap(_ a: Filter, _ b: Filter) -> Bool {
        guard let pa = pairs(a), let pb = pairs(b) else { return true }
        for x in pa {
            for y in pb where x.name.caseInsensitiveEquals(y.name) && !equal(x.value, y.value) {
                return false
            }
        }
        return true
    }

    private static func equal(_ a: SCIMValue, _ b: SCIMValue) -> Bool {
        if case .string(let x) = a, case .string(let y) = b { return x.lowercased() == y.lowercased() }
        return a == b
    }
}
