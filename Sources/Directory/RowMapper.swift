import SCIM

/// Turns rows of one table into SCIM resources and back, through the table's attribute map.
///
/// Row → resource:
/// - `schemas` is the kind's core URN followed by every extension URN the map uses (whether
///   or not the row has values for it), so that every row of a table yields the same list.
/// - `id` is the id column rendered as text (integer ids as decimal text).
/// - `name.givenName` fills nested objects; URN-qualified paths fill the extension object
///   (`urn:…:enterprise:2.0:User:department` → `resource[urn]["department"]`).
/// - `emails[type eq "work"].value` fills an element of the `emails` array, built from the
///   filter's `eq` comparisons: `{"type": "work", "value": …}`. Entries with the same filter
///   fill the same element. A value-filter path without a sub-attribute means its `value`.
/// - A NULL column (or one the row lacks) leaves its attribute out; an element appears only
///   when at least one of its mapped columns has a value.
///
/// Resource → row: every mapped column gets a value (NULL when the resource lacks the
/// attribute), so the row can be written as a whole.
public struct RowMapper: Sendable, Hashable {
    public var kind: ResourceKind {
        didSet { plan = MappingPlan(kind: kind, attributes: attributes) }
    }
    /// The table's name, for messages.
    public var table: String
    public var attributes: AttributeMap {
        didSet { plan = MappingPlan(kind: kind, attributes: attributes) }
    }
    /// The map's entries resolved once (types, normalised paths); follows `attributes`.
    private(set) var plan: MappingPlan
    /// The zone of the table's wall-clock columns.
    public var zone: WallClockZone

    public init(kind: ResourceKind, table: String, attributes: AttributeMap, zone: WallClockZone = .utc) {
        self.kind = kind
        self.table = table
        self.attributes = attributes
        self.zone = zone
        self.plan = MappingPlan(kind: kind, attributes: attributes)
    }

    /// The column mapped to `id`; `id` when the map has none (validation reports that).
    public var idColumn: String { plan.idColumn }

    /// The resource's `schemas`: the core URN, then the extension URNs the map uses, in map order.
    public var schemas: [String] {
        var urns = [kind.coreSchema]
        for entry in attributes.entries {
            if let urn = entry.path.extensionSchema, !urns.contains(where: { $0.caseInsensitiveEquals(urn) }) {
                urns.append(urn)
            }
        }
        return urns
    }

    // MARK: Row → resource

    /// The resource a row describes.
    public func resource(from row: Row) throws(RowMappingError) -> SCIMResource {
        var object = SCIMObject()
        object["schemas"] = plan.schemas
        object["id"] = .string(try id(in: row))
        // Where each element of a multi-valued attribute went in its array, once an entry
        // created it, so that entries sharing a filter share an element.
        var elementIndex = [Int?](repeating: nil, count: plan.elementCount)
        // The plan's entries alone: the map's own would be copied, filters and all, per row.
        for planned in plan.entries where !planned.isID {
            guard let sql = row[planned.column] else { continue }
            let path = planned.path
            let value: SCIMValue
            do {
                value = try sql.scimValue(as: planned.type, column: planned.column, zone: zone)
            } catch {
                throw .value(table: table, error)
            }
            if value.isNull { continue }
            if let urn = path.extensionSchema {
                Self.withObject(at: urn, in: &object) { extensionObject in
                    place(value, at: path, element: planned.element, in: &extensionObject, elementIndex: &elementIndex)
                }
            } else {
                place(value, at: path, element: planned.element, in: &object, elementIndex: &elementIndex)
            }
        }
        return SCIMResource(object)
    }

    /// The row's id as text.
    public func id(in row: Row) throws(RowMappingError) -> String {
        try idText(row[idColumn], column: idColumn, table: table)
    }

    private func place(
        _ value: SCIMValue, at path: AttributePath, element: MappingPlan.Element?, in container: inout SCIMObject,
        elementIndex: inout [Int?]
    ) {
        guard let sub = path.subAttribute else {
            container[path.attribute] = value
            return
        }
        guard let element else {
            Self.withObject(at: path.attribute, in: &container) { complex in complex[sub] = value }
            return
        }
        // An element of a multi-valued attribute: the filter's element, or for a path without
        // a filter (`emails.value`) the attribute's one element.
        container.modify(path.attribute) { slot in
            var elements: [SCIMValue] = []
            if case .array(let existing)? = slot { elements = existing }
            slot = nil
            let index: Int
            if let known = elementIndex[element.number] {
                index = known
            } else {
                elements.append(.object(element.template))
                index = elements.count - 1
                elementIndex[element.number] = index
            }
            var object = SCIMObject()
            if case .object(let existing) = elements[index] { object = existing }
            elements[index] = .null
            object[sub] = value
            elements[index] = .object(object)
            slot = .array(elements)
        }
    }

    /// Runs `body` on the object at `key` of `container` (a new one when there is none):
    /// moved out of its slot while `body` runs, so that adding to it copies nothing, and put
    /// back where it was.
    private static func withObject(at key: String, in container: inout SCIMObject, _ body: (inout SCIMObject) -> Void) {
        container.modify(key) { slot in
            var object = SCIMObject()
            if case .object(let existing)? = slot { object = existing }
            slot = nil
            body(&object)
            slot = .object(object)
        }
    }

    // MARK: Resource → row

    /// The values of the mapped columns for `resource`, in map order, converted for the
    /// column types in `columnTypes` (keys compare case-insensitively; a column missing
    /// there passes its value in its natural SQL form). A column mapped twice appears once,
    /// with the first entry's value.
    ///
    /// For a multi-valued attribute the element comes from the path's value filter: among
    /// the elements it matches, the one marked `primary`, else the first.
    public func row(from resource: SCIMResource, columnTypes: [String: ColumnType]) throws(RowMappingError) -> Row {
        try row(from: resource, columnTypes: columnTypeList(columnTypes))
    }

    /// ``row(from:columnTypes:)`` with the column types looked up once for the map's entries
    /// (``columnTypeList(_:)``), for a caller that maps many resources into one table: the
    /// lookups by column name were a tenth of mapping a resource into a row.
    public func row(from resource: SCIMResource, columnTypes: ColumnTypeList) throws(RowMappingError) -> Row {
        Row(columns: plan.rowColumns, values: try rowValues(from: resource, columnTypes: columnTypes))
    }

    /// The columns of every row ``row(from:columnTypes:)`` makes, in their order.
    public var rowColumns: [String] { plan.rowColumns }

    /// The values of ``row(from:columnTypes:)`` alone, in the order of ``rowColumns``: for a
    /// caller that writes many rows into one table (a first load), without a copy of the
    /// column names per row.
    public func rowValues(from resource: SCIMResource, columnTypes: ColumnTypeList) throws(RowMappingError) -> [SQLValue] {
        precondition(columnTypes.types.count == plan.entries.count, "column types resolved for another map")
        var values: [SQLValue] = []
        values.reserveCapacity(plan.rowColumns.count)
        // By index: an entry is read where it is, not copied per row.
        for index in plan.entries.indices where plan.entries[index].firstForColumn {
            let isID = plan.entries[index].isID
            let value = isID ? resource.id.map(SCIMValue.string) ?? .null : lookup(plan.entries[index].path, in: resource)
            if isID, value.isNull { throw .missingID(table: table, column: plan.entries[index].column) }
            do {
                let sql = try value.sqlValue(
                    for: columnTypes.types[index], attributeType: plan.entries[index].type,
                    column: plan.entries[index].column, zone: zone)
                values.append(sql)
            } catch {
                throw .value(table: table, error)
            }
        }
        return values
    }

    /// The column type of each of the map's entries, from `columnTypes` (keys compare
    /// case-insensitively; a column missing there is `.unknown("")`, which passes its value
    /// in its natural SQL form).
    public func columnTypeList(_ columnTypes: [String: ColumnType]) -> ColumnTypeList {
        ColumnTypeList(
            types: plan.entries.map { entry in
                columnTypes[entry.column] ?? columnTypes.first { $0.key.caseInsensitiveEquals(entry.column) }?.value
                    ?? .unknown("")
            })
    }

    /// The value `path` names in `resource`, or null.
    func lookup(_ path: AttributePath, in resource: SCIMResource) -> SCIMValue {
        let container: SCIMObject?
        if let urn = path.extensionSchema {
            container = resource[urn]?.objectValue
        } else {
            container = resource.attributes
        }
        guard let value = container?[path.attribute] else { return .null }
        guard let sub = path.subAttribute else { return value }
        switch value {
        case .object(let complex):
            if let filter = path.valueFilter, !EqualityFilter.matches(complex, filter, in: path) { return .null }
            return complex[sub] ?? .null
        case .array(let elements):
            // The first element the filter takes that is primary, else the first it takes;
            // read in place, without an array of candidates per row.
            var firstTaken: Int?
            for index in elements.indices {
                guard case .object(let element) = elements[index] else { continue }
                if let filter = path.valueFilter, !EqualityFilter.matches(element, filter, in: path) { continue }
                if element["primary"] == .bool(true) { return element[sub] ?? .null }
                if firstTaken == nil { firstTaken = index }
            }
            guard let firstTaken, case .object(let chosen) = elements[firstTaken] else { return .null }
            return chosen[sub] ?? .null
        case .null, .bool, .integer, .decimal, .string:
            return .null
        }
    }
}

/// A table's column types in the order of a ``RowMapper``'s entries
/// (``RowMapper/columnTypeList(_:)``).
public struct ColumnTypeList: Sendable, Hashable {
    let types: [ColumnType]
}

extension ResourceKind {
    /// The core schema URN of the kind (RFC 7643 §8.7.1).
    public var coreSchema: String {
        switch self {
        case .user: SchemaURN.user
        case .group: SchemaURN.group
        }
    }
}

extension AttributePath {
    /// Whether the path is the resource's `id`.
    var isID: Bool {
        isCore && valueFilter == nil && subAttribute == nil && attribute.caseInsensitiveEquals("id")
    }

    /// The path as the mapper reads it: a value-filter path without a sub-attribute means the
    /// element's `value` (`emails[type eq "work"]` is `emails[type eq "work"].value`).
    var normalized: AttributePath {
        guard valueFilter != nil, subAttribute == nil else { return self }
        var copy = self
        copy.subAttribute = "value"
        return copy
    }
}

/// The text of an id column value; NULL or a missing column is an error.
func idText(_ value: SQLValue?, column: String, table: String) throws(RowMappingError) -> String {
    guard let value else { throw .missingID(table: table, column: column) }
    let scim: SCIMValue
    do {
        scim = try value.scimValue(as: .string, column: column)
    } catch {
        throw .value(table: table, error)
    }
    guard let text = scim.stringValue, !text.isEmpty else { throw .missingID(table: table, column: column) }
    return text
}

extension DirectoryLayout {
    /// The mapper for the users table.
    public var userMapper: RowMapper {
        RowMapper(kind: .user, table: users.table, attributes: users.attributes, zone: timeZone)
    }

    /// The mapper for the groups table, if the layout has one.
    public var groupMapper: RowMapper? {
        groups.map { RowMapper(kind: .group, table: $0.table, attributes: $0.attributes, zone: timeZone) }
    }
}

extension RowMapper {
    /// Classifies the mapped columns' SQL types (column → type text as the database reports
    /// it; keys compare case-insensitively), telling ``ColumnType/init(sqlType:holdsBoolean:)``
    /// which columns hold a boolean attribute, so that a CHAR(1) mapped to `active` is read
    /// and written as `Y`/`N`.
    public func columnTypes(fromSQLTypes sqlTypes: [String: String]) -> [String: ColumnType] {
        var result: [String: ColumnType] = [:]
        for entry in attributes.entries {
            guard
                let sqlType = sqlTypes[entry.column]
                    ?? sqlTypes.first(where: { $0.key.caseInsensitiveEquals(entry.column) })?.value
            else { continue }
            let holdsBoolean = attributeType(for: entry.path.normalized) == .boolean
            if result[entry.column] == nil || holdsBoolean {
                result[entry.column] = ColumnType(sqlType: sqlType, holdsBoolean: holdsBoolean)
            }
        }
        return result
    }
}
