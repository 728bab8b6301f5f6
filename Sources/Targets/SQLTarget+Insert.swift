import Directory
import Foundation
import SCIM

// The SCIM server's POST: a new row with an id the server chooses, never an upsert (a POST
// must not overwrite what is there).
extension SQLTarget {
    /// Inserts `resource` (its `id` is ignored) with its memberships, in one transaction, and
    /// returns the id given to it, never one given before (RFC 7643 §3.1: an id "MUST NOT be
    /// reassigned"): the database's own number for an `AUTO_INCREMENT`, identity, `serial` or
    /// `AUTOINCREMENT` column, a random UUID for a text column. An integer column the database
    /// does not number gets the next integer after the largest, which reuses the number of a
    /// deleted last row: docs/scim.md says to give such a column a generator.
    ///
    /// Two inserts that pick the same integer id race for the primary key; the loser retries
    /// with the next one, a few times.
    ///
    /// - Throws: ``TargetError``; `isUniqueViolation` when another unique key of the table
    ///   refused the row, `.foreignKey` when a member does not exist.
    public func insert(_ kind: ResourceKind, _ resource: SCIMResource, memberIDs: [String] = [], parentID: String? = nil)
        throws(TargetError) -> String
    {
        let table = try mappedTable(kind)
        let operation = TargetOperation.create(kind)
        let integerID = (table.columnTypes[table.mapper.idColumn] ?? table.table.idType(table.mapper.idColumn)).isInteger
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try insertOnce(
                    kind, resource, memberIDs: memberIDs, parentID: parentID, table: table, operation: operation,
                    integerID: integerID)
            } catch let error
                where error.isUniqueViolation && integerID && !table.table.isGenerated(table.mapper.idColumn) && attempt < 5
            {
                continue
            }
        }
    }

    private func insertOnce(
        _ kind: ResourceKind, _ resource: SCIMResource, memberIDs: [String], parentID: String?, table: MappedTable,
        operation: TargetOperation, integerID: Bool
    ) throws(TargetError) -> String {
        var result = ApplyResult()
        let name = table.table.name
        do {
            try connection.begin()
        } catch {
            throw TargetError(.transaction(step: "BEGIN"), underlying: error)
        }
        do throws(TargetError) {
            var id: String
            let generated = integerID && table.table.isGenerated(table.mapper.idColumn)
            if generated {
                id = ""
            } else if integerID {
                let next = SQLStatement(
                    sql: "SELECT COALESCE(MAX(\(dialect.quote(table.idColumn))), 0) + 1 AS n FROM \(dialect.table(name))")
                let rows = try query(next, operation, name, &result)
                switch rows.first?.values.first {
                case .int(let value)?: id = String(value)
                case .uint(let value)?: id = String(value)
                case .text(let text)?, .decimal(let text)?: id = text
                default: id = "1"
                }
            } else {
                id = UUID().uuidString.lowercased()
            }
            var stored = resource
            // The mapper wants an id; a generated one is dropped from the row below.
            stored.attributes["id"] = .string(generated ? "0" : id)
            var row = try mapping(operation, name) { () throws(RowMappingError) in
                try table.mapper.row(from: stored, columnTypes: table.rowColumnTypes)
            }
            if generated, let index = row.columns.firstIndex(where: { $0.caseInsensitiveEquals(table.mapper.idColumn) }) {
                // The database numbers the row: the id column is left out of the INSERT.
                var columns = row.columns
                var values = row.values
                columns.remove(at: index)
                values.remove(at: index)
                row = Row(columns: columns, values: values)
            }
            if kind == .group, let parentColumn = layout.groups?.parent, let parentID {
                let type = table.table.idType(parentColumn)
                let value = try mapping(operation, name) { () throws(RowMappingError) in
                    try table.table.idValue(parentID, column: parentColumn, type: type)
                }
                row = Row(columns: row.columns + [parentColumn], values: row.values + [value])
            }
            row = withDefaultsForNulls(row, table: table)
            var builder = StatementBuilder(dialect)
            let columnNames = row.columns.map(table.table.column)
            let columns = columnNames.map(dialect.quote).joined(separator: ", ")
            builder.append(dialect.dml("INSERT") + " INTO \(dialect.table(name)) (\(columns)) VALUES ")
            if case .sqlServer = dialect {
                var markers: [String] = []
                for (column, value) in zip(columnNames, row.values) {
                    markers.append(
                        dialect.sqlServerValue(builder.parameter(value), column: column, binaryColumns: table.binaryColumns))
                }
                builder.append("(" + markers.joined(separator: ", ") + ")")
            } else {
                builder.bindRows([row.values])
            }
            if generated {
                id = try insertReturningID(builder, table: table, operation: operation, result: &result)
            } else {
                try execute(builder.statement, operation, name, &result)
            }
            if !memberIDs.isEmpty {
                let pairs = memberIDs.map { member in
                    kind == .group ? Membership(groupID: id, userID: member) : Membership(groupID: member, userID: id)
                }
                try changeMembership(add: true, pairs, kind: .addMember, result: &result)
            }
            do {
                try connection.commit()
            } catch {
                let kind: TargetError.Kind =
                    isForeignKeyViolation(error) ? .foreignKeyAtCommit : .transaction(step: "COMMIT")
                throw TargetError(kind, underlying: error)
            }
            return id
        } catch {
            try? connection.rollback()
            throw error
        }
    }

    /// Runs the INSERT of `builder` and reads the number the database gave the new row, in
    /// the same transaction and on the same connection.
    private func insertReturningID(
        _ builder: StatementBuilder, table: MappedTable, operation: TargetOperation, result: inout ApplyResult
    ) throws(TargetError) -> String {
        var builder = builder
        let name = table.table.name
        let rows: [Row]
        switch dialect {
        case .postgres:
            builder.append(" RETURNING \(dialect.quote(table.idColumn))")
            rows = try query(builder.statement, operation, name, &result)
        case .mariaDB:
            try execute(builder.statement, operation, name, &result)
            rows = try query(SQLStatement(sql: "SELECT LAST_INSERT_ID() AS n"), operation, name, &result)
        case .sqlite:
            try execute(builder.statement, operation, name, &result)
            rows = try query(SQLStatement(sql: "SELECT last_insert_rowid() AS n"), operation, name, &result)
        case .sqlServer:
            // SCOPE_IDENTITY is "the last identity value inserted into an identity column in the
            // same scope": an sp_executesql call is a scope of its own, so it must be read in
            // the same batch as the INSERT.
            builder.append("; SELECT CAST(SCOPE_IDENTITY() AS bigint) AS n")
            rows = try query(builder.statement, operation, name, &result)
        }
        switch rows.first?.values.first {
        case .int(let value)?: return String(value)
        case .uint(let value)?: return String(value)
        case .text(let text)?, .decimal(let text)?: return text
        default: throw TargetError(.transaction(step: "reading the id the database gave the new row"))
        }
    }
}

extension SQLTarget {
    /// The attributes (as the layout writes them) whose NOT NULL column `resource` would leave
    /// NULL: only those without a DEFAULT unless `withDefaults` (a column with one gets its
    /// default: an INSERT leaves it out, a replacement fills it in, see
    /// ``fillsColumnDefaults``). The id column is the server's. For the SCIM server to answer
    /// 400 naming them instead of the database refusing the row.
    public func missingRequiredAttributes(_ kind: ResourceKind, _ resource: SCIMResource, withDefaults: Bool = false)
        -> [String]
    {
        guard let table = try? mappedTable(kind) else { return [] }
        var stored = resource
        if stored.id == nil { stored.attributes["id"] = .string("0") }
        guard let row = try? table.mapper.row(from: stored, columnTypes: table.rowColumnTypes) else { return [] }
        var missing: [String] = []
        for (column, value) in zip(row.columns, row.values) where value == .null {
            guard !column.caseInsensitiveEquals(table.mapper.idColumn), table.table.isNotNull(column),
                withDefaults || !table.table.hasDefault(column)
            else { continue }
            let names = table.mapper.attributes.entries.filter { $0.column.caseInsensitiveEquals(column) }.map(\.pathText)
            missing.append(contentsOf: names.isEmpty ? [column] : names)
        }
        return missing
    }

    /// `row` without the NULL values of columns that have a DEFAULT, so that an INSERT stores
    /// the default (a client that leaves out `active` on a `NOT NULL DEFAULT 1` column).
    func withDefaultsForNulls(_ row: Row, table: MappedTable) -> Row {
        var columns: [String] = []
        var values: [SQLValue] = []
        for (column, value) in zip(row.columns, row.values) {
            if value == .null, table.table.hasDefault(column) { continue }
            columns.append(column)
            values.append(value)
        }
        return Row(columns: columns, values: values)
    }
}

extension SQLTarget {
    /// The attributes (as the layout writes them) whose column is NOT NULL, which `/Schemas`
    /// marks `required`: a PATCH cannot remove them (RFC 7644 §3.5.2: a required attribute
    /// that "is removed or becomes unassigned" is a `mutability` error). A POST or PUT that
    /// leaves out one whose column has a DEFAULT stores the default, as an INSERT would (RFC
    /// 7644 §3.5.1: the service provider "MAY assign a default value"); one without a
    /// DEFAULT is refused.
    public func requiredAttributes(_ kind: ResourceKind) -> [String] {
        guard let table = try? mappedTable(kind) else { return [] }
        return table.mapper.attributes.entries.filter { entry in
            !entry.column.caseInsensitiveEquals(table.mapper.idColumn) && table.table.isNotNull(entry.column)
        }.map(\.pathText)
    }
}
