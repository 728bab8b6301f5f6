import SCIM

/// Maps a source table's rows straight into a target table's row values, where the two
/// attribute maps agree: what the target's ``RowMapper/rowValues(from:columnTypes:)`` gives for
/// the source's ``RowMapper/resource(from:)``, without the resource in between. Building each
/// resource and reading it back was most of a first load's CPU.
///
/// A transcoder exists only for maps where every target column's value can be told without
/// the resource (``init(from:to:columnTypes:)``): the target entry's path is written by exactly
/// one source entry, or by none that could reach it. Each value goes through the same two
/// conversions as on the general way (column to SCIM with the source entry's type and zone,
/// SCIM to column with the target's), and every source column the source map converts is
/// converted, so a row either side refuses throws here too. A caller that gets an error maps
/// the rows the general way, which reports it as it always did.
public struct RowTranscoder: Sendable {
    /// Where a target column's value comes from.
    enum Origin: Sendable, Hashable {
        /// The resource's `id`: the source's id column as text.
        case id
        /// The value of the source entry at this index of the source's plan.
        case entry(Int)
        /// Nothing the source writes: NULL.
        case null
    }

    public let source: RowMapper
    public let target: RowMapper
    private let columnTypes: ColumnTypeList
    /// The source's entries that write into the resource (all but the id's), by plan index.
    private let writing: [Int]
    /// For each column of the target's rows, in ``RowMapper/rowColumns`` order: its value's
    /// origin and the target plan entry that writes it.
    private let columns: [(origin: Origin, entry: Int)]
    /// What each row's conversions need of the plans' entries, by plan index: read from
    /// arrays of their own, not copied out of the entries (which hold paths and filters) per
    /// value.
    private let sourceTypes: [AttributeDefinition.DataType]
    private let sourceColumns: [String]
    private let targetTypes: [AttributeDefinition.DataType]
    private let targetColumns: [String]

    /// A transcoder from `source`'s rows to `target`'s, with the target table's column types
    /// (``RowMapper/columnTypeList(_:)`` of `target`); nil where the maps do not agree
    /// closely enough (see the type's comment), and the general way must map the rows.
    public init?(from source: RowMapper, to target: RowMapper, columnTypes: ColumnTypeList) {
        guard source.kind == target.kind, columnTypes.types.count == target.plan.entries.count else { return nil }
        let sourceEntries = source.plan.entries
        let writing = sourceEntries.indices.filter { !sourceEntries[$0].isID }
        // The resource's own members (`id`, `schemas`) are written apart: a map entry that
        // also writes one would make its value depend on the order of writes.
        guard !writing.contains(where: { Self.isReserved(sourceEntries[$0].path) }) else { return nil }
        let candidates = writing.map { ($0, sourceEntries[$0]) }
        var columns: [(origin: Origin, entry: Int)] = []
        for (index, entry) in target.plan.entries.enumerated() where entry.firstForColumn {
            if entry.isID {
                columns.append((.id, index))
                continue
            }
            guard let origin = Self.origin(of: entry, among: candidates) else { return nil }
            columns.append((origin, index))
        }
        self.source = source
        self.target = target
        self.columnTypes = columnTypes
        self.writing = writing
        self.columns = columns
        sourceTypes = sourceEntries.map(\.type)
        sourceColumns = sourceEntries.map(\.column)
        targetTypes = target.plan.entries.map(\.type)
        targetColumns = target.plan.entries.map(\.column)
    }

    /// Rows as the target's bulk path takes them, with each row's id.
    public struct Rows: Sendable {
        /// The resources' ids, in row order.
        public var ids: [String]
        /// Each row's values, in the order of the target's ``RowMapper/rowColumns``.
        public var values: [[SQLValue]]

        /// Whether no id comes twice: the bulk path only inserts.
        public var hasDistinctIDs: Bool { Set(ids).count == ids.count }
    }

    /// The target values of each of `rows`, and their ids; throws the first error either
    /// map's conversion raises (the general way then maps the rows and reports it).
    public func transcode(_ rows: [Row]) throws(RowMappingError) -> Rows {
        var result = Rows(ids: [], values: [])
        result.ids.reserveCapacity(rows.count)
        result.values.reserveCapacity(rows.count)
        var located = Located(columns: [], sourceIndexes: [], idIndex: nil)
        var scim = [SCIMValue](repeating: .null, count: source.plan.entries.count)
        for row in rows {
            // Rows of one SELECT share their column list: the names are looked up once.
            if row.columns != located.columns { located = locate(row.columns) }
            let id = try idText(located.idIndex.map { row.values[$0] }, column: source.idColumn, table: source.table)
            for index in writing {
                guard let at = located.sourceIndexes[index] else {
                    scim[index] = .null
                    continue
                }
                do {
                    scim[index] = try row.values[at].scimValue(as: sourceTypes[index], column: sourceColumns[index], zone: source.zone)
                } catch {
                    throw .value(table: source.table, error)
                }
            }
            var values: [SQLValue] = []
            values.reserveCapacity(columns.count)
            for (origin, entryIndex) in columns {
                let value: SCIMValue
                switch origin {
                case .id: value = .string(id)
                case .entry(let index): value = scim[index]
                case .null: value = .null
                }
                do {
                    values.append(
                        try value.sqlValue(
                            for: columnTypes.types[entryIndex], attributeType: targetTypes[entryIndex],
                            column: targetColumns[entryIndex], zone: target.zone))
                } catch {
                    throw .value(table: target.table, error)
                }
            }
            result.ids.append(id)
            result.values.append(values)
        }
        return result
    }

    /// Where the source's columns are in rows with these columns.
    private struct Located {
        var columns: [String]
        var sourceIndexes: [Int?]
        var idIndex: Int?
    }

    private func locate(_ columns: [String]) -> Located {
        let row = Row(columns: columns, values: Array(repeating: .null, count: columns.count))
        return Located(
            columns: columns, sourceIndexes: source.plan.entries.map { row.index(of: $0.column) },
            idIndex: row.index(of: source.idColumn))
    }

    /// Whether `path` writes one of the resource's own members.
    private static func isReserved(_ path: AttributePath) -> Bool {
        path.extensionSchema == nil && (path.attribute.caseInsensitiveEquals("id") || path.attribute.caseInsensitiveEquals("schemas"))
    }

    /// Where `entry`'s value comes from, as ``RowMapper/lookup(_:in:)`` would find it in the
    /// source's resource; nil when that depends on more than one source entry or on how the
    /// resource's elements are arranged.
    private static func origin(of entry: MappingPlan.Entry, among writing: [(Int, MappingPlan.Entry)]) -> Origin? {
        let path = entry.path
        guard !isReserved(path) else { return nil }
        // The source entries writing the same attribute of the same object.
        let same = writing.filter { _, candidate in
            sameObject(candidate.path, path) && candidate.path.attribute.caseInsensitiveEquals(path.attribute)
        }
        func sameSub(_ candidate: MappingPlan.Entry) -> Bool {
            guard let a = candidate.path.subAttribute, let b = path.subAttribute else { return false }
            return a.caseInsensitiveEquals(b)
        }
        switch (path.subAttribute, entry.multiValued) {
        case (nil, false):
            // `userName`, `active`: the attribute's value itself.
            guard path.valueFilter == nil else { return nil }
            if same.isEmpty { return .null }
            guard same.count == 1, let (index, only) = same.first, only.path.subAttribute == nil, only.element == nil
            else { return nil }
            return .entry(index)
        case (_?, false):
            // `name.givenName`: a sub-attribute of a single complex attribute.
            guard path.valueFilter == nil,
                same.allSatisfy({ $0.1.path.subAttribute != nil && $0.1.path.valueFilter == nil && $0.1.element == nil })
            else { return nil }
            let writers = same.filter { sameSub($0.1) }
            if writers.isEmpty { return .null }
            return writers.count == 1 ? .entry(writers[0].0) : nil
        case (let sub?, true):
            // `emails[type eq "work"].value`: a sub-attribute of an element. The target's
            // filter must take exactly one of the elements the source builds: the one with
            // the same filter (its template satisfies the filter), while every other element
            // fixes a value the filter excludes (`type eq "home"`).
            if same.isEmpty { return .null }
            guard same.allSatisfy({ $0.1.element != nil && $0.1.path.subAttribute != nil }) else { return nil }
            // A column that writes what its element's filter fixes (`emails[type eq "work"].type`)
            // could make the element one another filter takes.
            guard same.allSatisfy({ $0.1.element!.template[$0.1.path.subAttribute!] == nil }) else { return nil }
            let mine = same.filter { $0.1.path.valueFilter == path.valueFilter }
            for (_, other) in same where other.path.valueFilter != path.valueFilter {
                guard let filter = path.valueFilter, let otherFilter = other.path.valueFilter,
                    !EqualityFilter.mayOverlap(filter, otherFilter)
                else { return nil }
            }
            // No element of the source's has the target's filter: none the filter takes.
            guard let element = mine.first?.1.element else { return .null }
            if let filter = path.valueFilter, !EqualityFilter.matches(element.template, filter, in: path) { return nil }
            let writers = mine.filter { sameSub($0.1) }
            if writers.isEmpty {
                // A sub-attribute the filter fixes (`emails[type eq "work"].type`) has the
                // template's value, not NULL.
                return element.template[sub] == nil ? .null : nil
            }
            return writers.count == 1 ? .entry(writers[0].0) : nil
        case (nil, true):
            // The whole multi-valued attribute in one column: the general way's business.
            return nil
        }
    }

    /// Whether two paths are in the same object of a resource: both core, or both in one
    /// extension's.
    private static func sameObject(_ a: AttributePath, _ b: AttributePath) -> Bool {
        switch (a.extensionSchema, b.extensionSchema) {
        case (nil, nil): true
        case (let x?, let y?): x.caseInsensitiveEquals(y)
        default: false
        }
    }
}

extension RowMapper {
    /// The creates of the resources `rows` describe, in row order.
    public func creates(_ rows: [Row]) throws(RowMappingError) -> [ResourceOp] {
        var ops: [ResourceOp] = []
        ops.reserveCapacity(rows.count)
        for row in rows { ops.append(.create(kind, try resource(from: row))) }
        return ops
    }
}
