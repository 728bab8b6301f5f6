import Directory
import Foundation
import SCIM

// The SCIM server's POST: a new row with an id the server chooses, never an upsert (a POST
// must not overwrite what is there).
extension SQLTarget {
    /// Inserts `resource` (its `id` is ignored) with its memberships, in one transaction, and
    /// returns the id given to it: the next integer after the largest for an integer id
    /// column, otherwise a random UUID.
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
        let operation: TargetOperation = kind == .user ? .createUser : .createGroup
        let integerID = (table.columnTypes[table.mapper.idColumn] ?? table.table.idType(table.mapper.idColumn)).isInteger
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try insertOnce(
                    kind, resource, memberIDs: memberIDs, parentID: parentID, table: table, operation: operation,
                    integerID: integerID)
            } catch let error where error.isUniqueViolation && integerID && attempt < 5 {
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
            let id: String
            if integerID {
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
            stored.attributes["id"] = .string(id)
            var row = try mapping(operation, name) { () throws(RowMappingError) in
                try table.mapper.row(from: stored, columnTypes: table.columnTypes)
            }
            if kind == .group, let parentColumn = layout.groups?.parent, let parentID {
                let type = table.table.idType(parentColumn)
                let value = try mapping(operation, name) { () throws(RowMappingError) in
                    try table.table.idValue(parentID, column: parentColumn, type: type)
                }
                row = Row(columns: row.columns + [parentColumn], values: row.values + [value])
            }
            var builder = StatementBuilder(dialect)
            let columns = row.columns.map(table.table.column).map(dialect.quote).joined(separator: ", ")
            builder.append("INSERT INTO \(dialect.table(name)) (\(columns)) VALUES ")
            builder.bindRows([row.values])
            try execute(builder.statement, operation, name, &result)
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
}
