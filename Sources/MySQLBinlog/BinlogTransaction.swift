import Directory

/// The row changes of one committed transaction, and where it ended.
public struct BinlogTransaction: Sendable, Hashable {
    public var changes: [BinlogRowChange]
    /// The position just after the commit (XID or `COMMIT` query): where to resume.
    public var position: BinlogPosition
    /// MariaDB `domain-server-seq` or MySQL `uuid:n`; nil for anonymous MySQL transactions.
    public var gtid: String?
    /// Seconds since 1970 (UTC) of the commit event.
    public var commitTimestamp: UInt32

    public init(changes: [BinlogRowChange], position: BinlogPosition, gtid: String?, commitTimestamp: UInt32) {
        self.changes = changes
        self.position = position
        self.gtid = gtid
        self.commitTimestamp = commitTimestamp
    }

    /// The transaction as the pipeline's ``Directory/ChangeBatch``; columns absent from a row
    /// image are left out of its ``Directory/Row``.
    public var changeBatch: ChangeBatch {
        ChangeBatch(
            changes: changes.map(\.rowChange),
            position: .binlog(file: position.file, offset: position.offset, gtid: gtid),
            commitTime: Int64(commitTimestamp)
        )
    }
}

/// One changed row of a transaction.
public struct BinlogRowChange: Sendable, Hashable {
    public var schema: String
    public var table: String
    public var kind: RowChange.Kind
    /// Column names in table order (`@1`, `@2`, … when the TABLE_MAP had none).
    public var columns: [String]
    /// One value per column; nil for inserts.
    public var before: [BinlogValue]?
    /// One value per column; nil for deletes.
    public var after: [BinlogValue]?

    public init(
        schema: String, table: String, kind: RowChange.Kind, columns: [String], before: [BinlogValue]?,
        after: [BinlogValue]?
    ) {
        self.schema = schema
        self.table = table
        self.kind = kind
        self.columns = columns
        self.before = before
        self.after = after
    }

    /// As a ``Directory/RowChange`` (table without its schema, as layouts name tables).
    public var rowChange: RowChange {
        RowChange(table: table, kind: kind, before: before.map(row), after: after.map(row))
    }

    private func row(_ values: [BinlogValue]) -> Row {
        var names: [String] = []
        var sqlValues: [SQLValue] = []
        names.reserveCapacity(values.count)
        sqlValues.reserveCapacity(values.count)
        for (name, value) in zip(columns, values) {
            guard let sqlValue = value.sqlValue else { continue }
            names.append(name)
            sqlValues.append(sqlValue)
        }
        return Row(columns: names, values: sqlValues)
    }
}

/// A statement that committed on its own outside any row transaction: DDL, usually.
public struct SchemaChange: Sendable, Hashable {
    /// The default database it ran in.
    public var schema: String
    public var statement: String
    /// The position just after it.
    public var position: BinlogPosition
    public var gtid: String?
    public var timestamp: UInt32
}
