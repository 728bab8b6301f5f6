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

/// The row changes of one committed source transaction and the position just after it, or
/// one part of a transaction too large to hold whole.
public struct ChangeBatch: Sendable, Hashable {
    public var changes: [RowChange]
    public var position: SourcePosition
    /// Commit time in seconds since 1970 (UTC), as the source recorded it.
    public var commitTime: Int64
    /// False for a part of a source transaction that more parts follow. A batch that does not
    /// end its source transaction must not have its position committed: a restart replays the
    /// transaction whole (its parts' positions are the boundary before it), which idempotent
    /// apply makes safe.
    public var endsTransaction: Bool

    public init(changes: [RowChange], position: SourcePosition, commitTime: Int64, endsTransaction: Bool = true) {
        self.changes = changes
        self.position = position
        self.commitTime = commitTime
        self.endsTransaction = endsTransaction
    }
}

extension SourcePosition: CustomStringConvertible {
    /// As logs and messages show it: `binlog.000042:1234 (gtid 0-1-19)`, `change tracking
    /// version 42`, `token …`.
    public var description: String {
        switch self {
        case .binlog(let file, let offset, let gtid): "\(file):\(offset)" + (gtid.map { " (gtid \($0))" } ?? "")
        case .changeTracking(let version): "change tracking version \(version)"
        case .token(let token): "token \(token)"
        }
    }
}
