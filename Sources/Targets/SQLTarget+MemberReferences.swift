import Directory
import SQLClients

// Most of what a MariaDB first load spends on memberships is the server checking the relation
// table's foreign keys: InnoDB looks up and locks each row's user and group as it inserts the
// row. mariadb-dump's output loads with `foreign_key_checks` off. The first load does the same
// for its member additions, then checks each foreign key once for the whole table, with one
// join, and takes out any membership whose user or group the target lacks, to be applied again
// with the checks on: there it parks until that user or group arrives, as it would have.
extension SQLTarget {
    /// A single-column foreign key of the relation table on its user or group column.
    struct MemberReference {
        var column: String
        var referencedTable: String
        var referencedColumn: String
        /// Whether the column comes first in the relation table's primary key.
        var leadsPrimaryKey: Bool
    }

    /// Whether this target's first load may write member additions without the server's
    /// foreign key checks (``load(_:checkingMemberReferencesLater:)``), for
    /// ``checkMemberReferences()`` to check once for the whole relation table afterwards:
    /// MariaDB only (MySQL has no `SET STATEMENT`), with the bulk path on, and when every
    /// foreign key of the relation table is one that check covers.
    public var defersMemberReferenceChecks: Bool {
        guard relation != nil, bulkLoadRefusal == nil, !fillsColumnDefaults, case .mariaDB = dialect,
            let mariaDB = connection as? MariaDBConnection, mariaDB.isMariaDB
        else { return false }
        return (try? memberReferences()) != nil
    }

    /// Checks the relation table's foreign keys on its user and group columns, each with one
    /// join over the whole table: every row whose user or group the target lacks is deleted
    /// and its member addition applied again (``apply(_:)``), which parks it until that user or
    /// group arrives (or writes it, when it is there by now).
    ///
    /// For a first load that wrote member additions with the checks off; harmless otherwise,
    /// where the keys were checked row by row and no such row can be found.
    public func checkMemberReferences() throws(TargetError) -> ApplyResult {
        var result = ApplyResult()
        guard let relation, let membership = layout.membership else { return result }
        let table = dialect.table(relation.name)
        let userColumn = dialect.quote(relation.column(membership.user))
        let groupColumn = dialect.quote(relation.column(membership.group))
        let references: [MemberReference]
        do {
            guard let found = try memberReferences() else { return result }
            references = found
        } catch {
            throw TargetError(.catalog(table: relation.name), underlying: error)
        }
        for reference in references {
            let column = dialect.quote(reference.column)
            let key = dialect.quote(reference.referencedColumn)
            let referenced = dialect.table(reference.referencedTable)
            // Either way the server stops at that many missing ids, and with none missing reads
            // the relation table once. The primary key's first column is read in its order, so
            // that each id is looked up once per row but next to the last (3.3 million rows
            // against 1 million users: 1.0 s here, where reading its distinct values first
            // took 1.8 s); any other column's distinct values are read first, from its index
            // when it has one (3.3 million rows, 20,000 groups: 0.06 s against 2.1 s).
            let missing =
                reference.leadsPrimaryKey
                ? "SELECT DISTINCT m.\(column) FROM \(table) m LEFT JOIN \(referenced) r ON r.\(key) = m.\(column) "
                    + "WHERE r.\(key) IS NULL LIMIT \(Self.missingIDsPerRound)"
                : "SELECT d.id FROM (SELECT DISTINCT \(column) AS id FROM \(table)) d LEFT JOIN \(referenced) r ON r.\(key) = d.id "
                    + "WHERE r.\(key) IS NULL LIMIT \(Self.missingIDsPerRound)"
            // Ids taken out once: should the join still find one after the server's own check
            // let its rows back in (the two comparing differently), the server's check stands.
            var handled: Set<SQLValue> = []
            while true {
                let ids: [SQLValue]
                let rows: [Row]
                do {
                    ids = try connection.query(missing, []).compactMap(\.values.first)
                    guard !ids.isEmpty, !ids.allSatisfy(handled.contains) else { break }
                    handled.formUnion(ids)
                    let markers = Array(repeating: "?", count: ids.count).joined(separator: ", ")
                    rows = try connection.query(
                        "SELECT \(userColumn), \(groupColumn) FROM \(table) WHERE \(column) IN (\(markers))", ids)
                    try connection.query("DELETE FROM \(table) WHERE \(column) IN (\(markers))", ids)
                } catch {
                    throw TargetError(.addMember, table: relation.name, underlying: error)
                }
                var ops: [ResourceOp] = []
                for row in rows {
                    guard row.values.count == 2 else { continue }
                    do {
                        let user = try idText(row.values[0], column: membership.user)
                        let group = try idText(row.values[1], column: membership.group)
                        ops.append(.addMember(groupID: group, userID: user))
                    } catch {
                        throw TargetError(.read(table: relation.name), underlying: error)
                    }
                }
                let again = try apply(ops)
                for (kind, count) in again.applied { result.applied[kind, default: 0] += count }
                result.statements += again.statements + 3
                result.parked += again.parked
                result.quarantined += again.quarantined
            }
        }
        return result
    }

    /// How many missing ids one round of ``checkMemberReferences()`` takes out.
    static let missingIDsPerRound = 500

    /// The relation table's foreign keys, when each is a single-column key on its user or
    /// group column into a table of the same database; nil when it has any other (a key
    /// ``checkMemberReferences()`` would not check) or is not on MariaDB. Read from the
    /// catalog once.
    func memberReferences() throws -> [MemberReference]? {
        if let cached = memberReferenceCache { return cached.keys }
        guard let relation, let membership = layout.membership, let mariaDB = connection as? MariaDBConnection else {
            return nil
        }
        let columns = [relation.column(membership.user), relation.column(membership.group)]
        let database = try mariaDB.currentDatabase()
        let primaryKey = try mariaDB.primaryKeyColumns(ofTable: relation.name)
        var keys: [MemberReference]? = []
        for key in try mariaDB.foreignKeys(ofTable: relation.name) {
            guard key.columns.count == 1, let column = key.columns.first, columns.contains(column),
                let referencedColumn = key.referencedColumns.first, key.referencedSchema == database
            else {
                keys = nil
                break
            }
            keys?.append(
                MemberReference(
                    column: column, referencedTable: key.referencedTable, referencedColumn: referencedColumn,
                    leadsPrimaryKey: primaryKey.first == column))
        }
        memberReferenceCache = MemberReferenceCache(keys: keys)
        return keys
    }
}

/// ``SQLTarget/memberReferences()`` as read from the catalog.
struct MemberReferenceCache {
    var keys: [SQLTarget.MemberReference]?
}
