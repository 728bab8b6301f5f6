import Directory

/// The row changes of one committed transaction, and where it ended; or one part of a
/// transaction too large to hold whole (see ``isLastPart``).
public struct BinlogTransaction: Sendable, Hashable {
    public var changes: [BinlogRowChange]
    /// The row changes as rows events not decoded, from an assembler that keeps them so
    /// (``TransactionAssembler/keepsRowsUndecoded``); `changes` is then empty.
    public var undecoded: [UndecodedRows]
    /// The position just after the commit (XID or `COMMIT` query): where to resume. For a part
    /// that is not the last, the position just before the transaction: resuming there reads
    /// the whole transaction again, so a stop in the middle of one replays it from its start.
    public var position: BinlogPosition
    /// MariaDB `domain-server-seq` or MySQL `uuid:n`; nil for anonymous MySQL transactions.
    public var gtid: String?
    /// Seconds since 1970 (UTC) of the commit event; for a part that is not the last, of its
    /// last rows event (the commit is not read yet).
    public var commitTimestamp: UInt32
    /// False when more parts of the same transaction follow. A transaction with more row
    /// changes than the reader holds at once is handed on in parts, in order; only the last
    /// one ends the transaction, and only its position may be remembered as done.
    public var isLastPart: Bool
    /// The transaction ended without committing (ROLLBACK, or the server restarted in the
    /// middle of it) after earlier parts of it were handed on. This closing part has no
    /// changes and is positioned after the transaction; the rows of the earlier parts did not
    /// commit on the source (a ROLLBACK is written only when non-transactional tables changed,
    /// and those rows did change), so the target may hold changes the source does not.
    public var isDropped: Bool
    /// False for rows handed on ahead of their part's end, by an assembler that hands rows on
    /// as they are read (``TransactionAssembler/handsOnRowsAsRead``): these rows belong to the
    /// part that the next output with `endsPart` ends, and that output says where (its
    /// position, GTID, commit time, ``isLastPart``); this one's position is the boundary before
    /// the transaction. Such an output marked ``isDropped`` (and empty) voids the rows handed
    /// on since the last part ended: the transaction is read again from its start.
    public var endsPart: Bool
    /// For a transaction handed on in more than one part: the boundary before it, the same on
    /// every part, the last one's included, which names the transaction the parts belong to.
    /// Nil for a transaction handed on whole.
    public var partsStart: BinlogPosition?
    /// Statements the transaction logged as text among its rows (statement-based DML from a
    /// session with `binlog_format` STATEMENT or MIXED): their changes are not in ``changes``.
    public var statements: [LoggedStatement]
    /// Why the transaction's changes are not all in its rows, when they are not: a two-phase
    /// XA transaction whose rows came at its XA PREPARE before this reader started, or too
    /// many to hold until its XA COMMIT. The source must be read again.
    public var unloggedChanges: String?

    public init(
        changes: [BinlogRowChange], position: BinlogPosition, gtid: String?, commitTimestamp: UInt32,
        isLastPart: Bool = true, isDropped: Bool = false, endsPart: Bool = true, undecoded: [UndecodedRows] = [],
        partsStart: BinlogPosition? = nil, statements: [LoggedStatement] = [], unloggedChanges: String? = nil
    ) {
        self.statements = statements
        self.unloggedChanges = unloggedChanges
        self.changes = changes
        self.undecoded = undecoded
        self.position = position
        self.gtid = gtid
        self.commitTimestamp = commitTimestamp
        self.isLastPart = isLastPart
        self.isDropped = isDropped
        self.endsPart = endsPart
        self.partsStart = partsStart
    }

    /// How many row changes this holds, decoded or not.
    public var changeCount: Int {
        undecoded.reduce(changes.count) { $0 + $1.count }
    }

    /// The transaction as the pipeline's ``Directory/ChangeBatch``; columns absent from a row
    /// image are left out of its ``Directory/Row``. A part that is not the last has no GTID in
    /// its position: the position is before the transaction, which has not ended there.
    public var changeBatch: ChangeBatch {
        ChangeBatch(
            changes: changes.map(\.rowChange),
            position: .binlog(file: position.file, offset: position.offset, gtid: isLastPart ? gtid : nil),
            commitTime: Int64(commitTimestamp), endsTransaction: isLastPart
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

/// A statement a transaction logged as text, with the default database it ran in.
public struct LoggedStatement: Sendable, Hashable {
    /// The session's default database (`USE db`), empty when none.
    public var schema: String
    public var text: String

    public init(schema: String, text: String) {
        self.schema = schema
        self.text = text
    }
}
