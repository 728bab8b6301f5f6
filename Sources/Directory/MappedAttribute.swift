import SCIM

/// One attribute-map entry as a query sees it: the SCIM path it stands for, the column that
/// holds it and what the schema says of it. The SCIM server translates filters and sort keys
/// into SQL over these.
public struct MappedAttribute: Sendable, Hashable {
    /// The path, with a filtered path's implied `value` made explicit and the core schema's
    /// URN dropped: `emails[type eq "work"].value`, `name.givenName`, `userName`.
    public var path: AttributePath
    /// The column, as the layout spells it.
    public var column: String
    public var type: AttributeDefinition.DataType
    /// Whether string comparisons respect case (RFC 7643 §2.4 `caseExact`); attributes no
    /// schema defines ignore case, as the filter evaluator does.
    public var caseExact: Bool
    /// Whether the top-level attribute is multi-valued: then the column holds one element's
    /// sub-attribute.
    public var multiValued: Bool
    public var isID: Bool
    /// For an element of a multi-valued attribute chosen by an equality filter
    /// (`emails[type eq "work"]`), the sub-attributes the filter fixes (`type: "work"`).
    public var fixedValues: SCIMObject

    /// The element this entry belongs to: entries of one multi-valued attribute with the same
    /// value filter describe one element.
    public var elementKey: String? {
        guard multiValued else { return nil }
        let schema = path.schema?.lowercased() ?? ""
        let filter = path.valueFilter.map { $0.description } ?? ""
        return schema + "|" + path.attribute.lowercased() + "|" + filter
    }
}

extension RowMapper {
    /// The map's entries as queries use them, in map order.
    public var mappedAttributes: [MappedAttribute] {
        zip(attributes.entries, plan.entries).map { entry, planned in
            let path = planned.path
            var core = path
            if path.isCore { core.schema = nil }
            let definition = attributeDefinition(for: path)
            let caseExact: Bool
            switch planned.type {
            case .reference, .binary: caseExact = true
            case .string, .boolean, .decimal, .integer, .dateTime, .complex: caseExact = definition?.caseExact ?? false
            }
            return MappedAttribute(
                path: core, column: entry.column, type: planned.type, caseExact: planned.isID || caseExact,
                multiValued: planned.multiValued, isID: planned.isID,
                fixedValues: path.valueFilter.map(EqualityFilter.template) ?? SCIMObject())
        }
    }
}
