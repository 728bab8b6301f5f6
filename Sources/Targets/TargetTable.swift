import Directory
import SCIM
import SQLClients

/// One table of the target as its catalog described it when the target was opened: the
/// catalog's spelling of each column the layout names (the layout's names compare
/// case-insensitively, PostgreSQL's quoted names do not) and its SQL type.
struct TargetTable: Sendable {
    let name: String
    private let spellings: [String: String]
    private let sqlTypes: [String: String]
    /// Columns the database numbers itself (catalog spelling).
    private let generated: Set<String>
    /// NOT NULL columns (catalog spelling), and which of those have a DEFAULT.
    private let notNull: Set<String>
    private let defaulted: Set<String>
    /// The DEFAULT expressions the catalog gave (catalog spelling; see
    /// ``SQLClients/ColumnDescription/defaultExpression``).
    private let defaultExpressions: [String: String]

    /// Reads `table`'s columns and checks that every one of `columns` is there.
    init(
        _ table: String, columns: [String], connection: any TargetConnection, schema: String?
    ) throws(TargetError) {
        let described: [ColumnDescription]?
        do {
            described = try connection.tableColumns(table, schema: schema)
        } catch {
            throw TargetError(
                .catalog(table: table), underlying: error)
        }
        guard let described else { throw TargetError(.missingTable(table: table)) }
        var spellings: [String: String] = [:]
        var sqlTypes: [String: String] = [:]
        var generated: Set<String> = []
        var notNull: Set<String> = []
        var defaulted: Set<String> = []
        var defaultExpressions: [String: String] = [:]
        for column in described {
            spellings[column.name.lowercased()] = column.name
            sqlTypes[column.name] = column.sqlType
            if column.isGenerated { generated.insert(column.name) }
            if !column.nullable { notNull.insert(column.name) }
            if column.hasDefault { defaulted.insert(column.name) }
            if let expression = column.defaultExpression { defaultExpressions[column.name] = expression }
        }
        for column in columns where spellings[column.lowercased()] == nil {
            throw TargetError(.missingColumn(table: table, column: column))
        }
        self.name = table
        self.spellings = spellings
        self.sqlTypes = sqlTypes
        self.generated = generated
        self.notNull = notNull
        self.defaulted = defaulted
        self.defaultExpressions = defaultExpressions
    }

    /// Whether the layout column `name` refuses NULL.
    func isNotNull(_ name: String) -> Bool {
        notNull.contains(column(name))
    }

    /// Whether the layout column `name` has a DEFAULT (or is numbered by the database).
    func hasDefault(_ name: String) -> Bool {
        defaulted.contains(column(name)) || generated.contains(column(name))
    }

    /// Whether the layout column `name` is NOT NULL with a DEFAULT of its own (not a number
    /// the database hands out): a write that leaves it empty stores the default instead.
    func isNotNullWithDefault(_ name: String) -> Bool {
        let column = column(name)
        return notNull.contains(column) && defaulted.contains(column) && !generated.contains(column)
    }

    /// The catalog's DEFAULT expression of the layout column `name`, when it gave one.
    func defaultExpression(_ name: String) -> String? {
        defaultExpressions[column(name)]
    }

    /// Whether the database numbers the layout column `name` itself, never reusing a number.
    func isGenerated(_ name: String) -> Bool {
        generated.contains(column(name))
    }

    /// The catalog's spelling of a layout column.
    func column(_ layoutName: String) -> String {
        spellings[layoutName.lowercased()] ?? layoutName
    }

    /// The SQL type of each layout column in `columns`, keyed by the layout's spelling.
    func sqlTypes(of columns: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for column in columns {
            if let type = sqlTypes[self.column(column)] { result[column] = type }
        }
        return result
    }

    /// The column's type as a cast may name it (PostgreSQL's `data_type`: `integer`,
    /// `character varying`, `uuid`), or nil for a type the catalog names otherwise
    /// (`USER-DEFINED`, `ARRAY`) and for `character` and `bit`, whose bare names mean a length
    /// of 1: a cast to them would cut longer values.
    func castableType(_ column: String) -> String? {
        guard let type = sqlTypes[self.column(column)], !type.isEmpty, type != "character", type != "bit",
            type.allSatisfy({ ("a"..."z").contains($0) || $0 == " " })
        else { return nil }
        return type
    }

    /// Each of `columns`' type as PostgreSQL's arrays of its values name it, nil when one
    /// column's type is none a cast may name (see ``castableType(_:)``).
    func arrayTypes(of columns: [String]) -> [String]? {
        var types: [String] = []
        types.reserveCapacity(columns.count)
        for column in columns {
            guard let type = castableType(column) else { return nil }
            types.append(type)
        }
        return types
    }

    /// The type class of a column that holds an id (a key or a reference to one).
    func idType(_ column: String) -> ColumnType {
        ColumnType(sqlType: sqlTypes[self.column(column)] ?? "")
    }

    /// `id` converted for a column of type `type`, as `RowMapper` converts a resource's id.
    func idValue(_ id: String, column: String, type: ColumnType) throws(RowMappingError) -> SQLValue {
        do {
            return try SCIMValue.string(id).sqlValue(for: type, attributeType: .string, column: column)
        } catch {
            throw .value(table: name, error)
        }
    }
}

/// A users or groups table with its attribute map and the column types read at open.
struct MappedTable {
    let mapper: RowMapper
    let table: TargetTable
    /// Column types by the layout's column names, booleans recognised from the map.
    let columnTypes: [String: ColumnType]
    /// The same, in the order of the mapper's entries, for mapping resources into rows.
    let rowColumnTypes: ColumnTypeList
    /// The distinct mapped columns (layout spelling), in map order.
    let columns: [String]
    /// The map's entries as filters and sort keys use them, worked out once.
    let queryAttributes: [MappedAttribute]
    /// Whether a UNIQUE key other than the primary key may refuse a row: MariaDB's upserts
    /// then count what they wrote (see `SQLDialect.upsert`). True unless the catalog said no.
    var hasOtherUniqueKey = true

    init(mapper: RowMapper, extraColumns: [String], connection: any TargetConnection, schema: String?)
        throws(TargetError)
    {
        var columns: [String] = []
        for entry in mapper.attributes.entries
        where !columns.contains(where: { $0.caseInsensitiveEquals(entry.column) }) {
            columns.append(entry.column)
        }
        let table = try TargetTable(
            mapper.table, columns: columns + extraColumns, connection: connection, schema: schema)
        self.mapper = mapper
        self.table = table
        self.columns = columns
        self.columnTypes = mapper.columnTypes(fromSQLTypes: table.sqlTypes(of: columns))
        self.rowColumnTypes = mapper.columnTypeList(columnTypes)
        self.queryAttributes = mapper.mappedAttributes
    }

    var idColumn: String { table.column(mapper.idColumn) }

    /// The catalog names (lowercased) of the mapped columns holding bytes, whose SQL Server
    /// parameters are converted to varbinary (see ``SQLDialect/sqlServerValue(_:column:binaryColumns:)``).
    var binaryColumns: Set<String> {
        Set(columnTypes.compactMap { name, type in
            if case .bytes = type { table.column(name).lowercased() } else { nil }
        })
    }

    /// The resource id converted for the id column.
    func idValue(_ id: String) throws(RowMappingError) -> SQLValue {
        let type = columnTypes[mapper.idColumn] ?? table.idType(mapper.idColumn)
        return try table.idValue(id, column: mapper.idColumn, type: type)
    }

    /// The column mapped to the core `active` attribute, if any (layout spelling).
    var activeColumn: String? {
        mapper.attributes.entries.first { entry in
            let path = entry.path
            let core = path.schema.map { $0.caseInsensitiveEquals(SchemaURN.user) } ?? true
            return core && path.valueFilter == nil && path.subAttribute == nil
                && path.attribute.caseInsensitiveEquals("active")
        }?.column
    }
}

extension Array {
    /// The elements in consecutive slices of at most `size`.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: Swift.max(size, 1)).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
