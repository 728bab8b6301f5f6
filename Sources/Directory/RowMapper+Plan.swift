import SCIM

/// What the mapper needs to know about one attribute-map entry, worked out once when the map
/// is set instead of for every row: resolving a path's type walks the core schemas with
/// case-insensitive name comparisons, which dominated the first load's mapping profile.
struct MappingPlan: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        /// The entry's column, as the map spells it.
        let column: String
        /// The path as the mapper reads it (``AttributePath/normalized``).
        let path: AttributePath
        let isID: Bool
        let type: AttributeDefinition.DataType
        /// Whether the path's top-level attribute is multi-valued.
        let multiValued: Bool
        /// Whether no earlier entry maps the same column (a column mapped twice is written
        /// once, with the first entry's value).
        let firstForColumn: Bool
        /// For a sub-attribute of a multi-valued attribute's element: the element.
        let element: Element?
    }

    /// An element of a multi-valued attribute that entries write into: entries with the same
    /// attribute and filter share one (`emails[type eq "work"].value` and
    /// `emails[type eq "work"].display`), numbered from 0 in map order.
    struct Element: Sendable, Hashable {
        let number: Int
        /// What the element holds before the entries' values: its filter's pairs.
        let template: SCIMObject
    }

    let entries: [Entry]
    /// The columns of the rows ``RowMapper/row(from:columnTypes:)`` makes, in their order: each
    /// column once, where its first entry is.
    let rowColumns: [String]
    /// How many elements the entries write into.
    let elementCount: Int
    /// The column mapped to `id` (`id` when none is).
    let idColumn: String
    /// The resources' `schemas` value.
    let schemas: SCIMValue
    /// How an update's two rows are compared, when the map is plain enough to compare them
    /// column by column.
    let diff: RowDiffPlan?

    init(kind: ResourceKind, attributes: AttributeMap) {
        var entries: [Entry] = []
        var columns: [String] = []
        var urns = [kind.coreSchema]
        var elements: [ElementKey] = []
        for entry in attributes.entries {
            let path = entry.path.normalized
            let first = !columns.contains { $0.caseInsensitiveEquals(entry.column) }
            if first { columns.append(entry.column) }
            let multiValued = isMultiValued(path)
            var element: Element?
            if path.subAttribute != nil, path.valueFilter != nil || multiValued {
                let key = ElementKey(path)
                let number = elements.firstIndex(of: key) ?? elements.count
                if number == elements.count { elements.append(key) }
                element = Element(number: number, template: path.valueFilter.map(EqualityFilter.template) ?? SCIMObject())
            }
            entries.append(Entry(
                column: entry.column, path: path, isID: entry.path.isID, type: attributeType(for: path),
                multiValued: multiValued, firstForColumn: first, element: element))
            if let urn = entry.path.extensionSchema, !urns.contains(where: { $0.caseInsensitiveEquals(urn) }) {
                urns.append(urn)
            }
        }
        self.entries = entries
        self.rowColumns = entries.filter(\.firstForColumn).map(\.column)
        self.elementCount = elements.count
        self.idColumn = attributes.idColumn ?? "id"
        self.schemas = .array(urns.map(SCIMValue.string))
        self.diff = RowDiffPlan(kind: kind, attributes: attributes, entries: entries)
    }
}

/// What makes two entries write into one element: the attribute (case-insensitively) and the
/// filter.
private struct ElementKey: Hashable {
    var schema: String?
    var attribute: String
    var filter: Filter?

    init(_ path: AttributePath) {
        schema = path.extensionSchema?.lowercased()
        attribute = path.attribute.lowercased()
        filter = path.valueFilter
    }
}
