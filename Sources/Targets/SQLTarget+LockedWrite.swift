import Directory
import SCIM

// A write that reads a resource, works out its change and writes it back (the SCIM server's
// PUT, PATCH and DELETE) must not undo what another writer did in between: a PUT's upsert
// after a concurrent DELETE would bring the deleted row back, and the DELETE would have
// answered 204 for nothing. So the read, the checks and the write are one transaction that
// first locks the resource's row.
extension SQLTarget {
    /// Runs `body` in one transaction holding the lock on the row of `kind` `id`, and commits:
    /// `body` reads what it needs (the resource, its memberships, the uniqueness checks) on
    /// this target and hands its operations to `apply`, which applies them all or nothing in
    /// the same transaction. Any error rolls everything back and is thrown.
    ///
    /// The lock: `SELECT … FOR UPDATE` on PostgreSQL and MariaDB, `WITH (UPDLOCK,
    /// SERIALIZABLE)` on SQL Server (held to COMMIT, also on an absent row's key range);
    /// SQLite's transactions take the database's write lock at `BEGIN IMMEDIATE`. Another
    /// writer of the row waits until COMMIT, so the two apply one after the other.
    public func writeLocked<T>(
        _ kind: ResourceKind, id: String, _ body: (_ apply: ([ResourceOp]) throws(TargetError) -> Void) throws -> T
    ) throws -> T {
        let table = try mappedTable(kind)
        do {
            try connection.begin()
        } catch {
            throw TargetError(.transaction(step: "BEGIN"), underlying: error)
        }
        let value: T
        do {
            if let lock = lockStatement(table, id: id) {
                do {
                    _ = try connection.query(lock.sql, lock.parameters)
                } catch {
                    throw TargetError(.read(table: table.table.name), underlying: error)
                }
            }
            try deferForeignKeys()
            value = try body { (ops: [ResourceOp]) throws(TargetError) in
                var result = ApplyResult()
                try applyRuns(ops, result: &result)
            }
        } catch {
            try? connection.rollback()
            throw error
        }
        try commitOrRollBack(else: .transaction(step: "BEGIN"))
        return value
    }

    /// The statement that locks the row of `id` in `table` until COMMIT; nil on SQLite, whose
    /// transaction holds the write lock already, and for an id the column cannot hold.
    private func lockStatement(_ table: MappedTable, id: String) -> SQLStatement? {
        guard let value = try? table.idValue(id) else { return nil }
        var builder = StatementBuilder(dialect)
        let name = dialect.table(table.table.name)
        switch dialect {
        case .sqlite:
            return nil
        case .postgres, .mariaDB:
            builder.append("SELECT 1 FROM \(name) t WHERE t.")
            builder.bindIn(table.idColumn, [value])
            builder.append(" FOR UPDATE")
        case .sqlServer:
            builder.append("SELECT 1 FROM \(name) t\(SQLDialect.sqlServerUpsertHints) WHERE t.")
            builder.bindIn(table.idColumn, [value])
        }
        return builder.statement
    }
}
