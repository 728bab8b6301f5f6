/// A position in a source's change stream, after which reading resumes.
public enum SourcePosition: Sendable, Hashable {
    /// A MySQL/MariaDB binlog coordinate, with the GTID of the transaction when known
    /// (MariaDB `domain-server-seq`, or a MySQL `uuid:n` set).
    case binlog(file: String, offset: UInt64, gtid: String?)
    /// A SQL Server change-tracking version.
    case changeTracking(version: Int64)
    /// An opaque token (feeds, SCIM pulls).
    case token(String)
}

/// One row change of a source transaction.
public struct RowChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case insert, update, delete
    }

    /// The table's name as the layout names it (no database qualifier).
    public var table: String
    public var kind: Kind
    /// The row before the change; nil for inserts.
    public var before: Row?
    /// The row after the change; nil for deletes.
    public var after: Row?

    public init(table: String, kind: Kind, before: Row?, after: Row?) {
        self.table = table
        self.kind = kind
        self.before = before
        self.after = after
    }
}

/// The row changes of one committed source transaction and the position just after it.
public struct ChangeBatch: Sendable, Hashable {
    public var changes: [RowChange]
    public var position: SourcePosition
    /// Commit time in seconds since 1970 (UTC), as the source recorded it.
    public var commitTime: Int64

    public init(changes: [RowChange], position: SourcePosition, commitTime: Int64) {
        self.changes = changes
        self.position = position
        self.commitTime = commitTime
    }
}
