import SCIM

/// What the mapper needs to know about one attribute-map entry, worked out once when the map
/// is set instead of for every row: resolving a path's type walks the core schemas with
/// case-insensitive name comparisons, which dominated the first load's mapping profile.
struct MappingPlan: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        /// The path as the mapper reads it (``AttributePath/normalized``).
        let path: AttributePath
        let isID: Bool
        let type: AttributeDefinition.DataType
        /// Whether the path's top-level attribute is multi-valued.
        let multiValued: Bool
        /// Whether no earlier entry maps the same column (a column mapped twice is written
        /// once, with the first entry's value).
        let firstForColumn: Bool
    }

    let entries: [Entry]
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
        for entry in attributes.entries {
            let path = entry.path.normalized
            let first = !columns.contains { $0.caseInsensitiveEquals(entry.column) }
            if first { columns.append(entry.column) }
            entries.append(Entry(
                path: path, isID: entry.path.isID, type: attributeType(for: path), multiValued: isMultiValued(path),
                firstForColumn: first))
            if let urn = entry.path.extensionSchema, !urns.contains(where: { $0.caseInsensitiveEquals(urn) }) {
                urns.append(urn)
            }
        }
        self.entries = entries
        self.idColumn = attributes.idColumn ?? "id"
        self.schemas = .array(urns.map(SCIMValue.string))
        self.diff = RowDiffPlan(kind: kind, attributes: attributes, entries: entries)
    }
}
