import Directory

/// One row of `CHANGETABLE(CHANGES ...)`: the net change of one key since the last version
/// read, and the row as it is now.
struct TrackedChange: Sendable, Hashable {
    enum Operation: String, Sendable, Hashable {
        case insert = "I", update = "U", delete = "D"
    }

    /// The table as the layout names it.
    var table: String
    var operation: Operation
    /// `SYS_CHANGE_VERSION`: the version of the key's last change.
    var version: Int64
    /// `SYS_CHANGE_CONTEXT`: what the writer gave `WITH CHANGE_TRACKING_CONTEXT`, if anything.
    var context: [UInt8]?
    /// The primary key's columns.
    var key: Row
    /// The mapped columns an update set; nil for all (or for inserts and deletes).
    var changedColumns: [String]?
    /// The row now: key and mapped columns; nil when it no longer exists.
    var current: Row?
}

/// Why change tracking could not be read.
public enum ChangeTrackingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered with rows of a shape the query does not produce.
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .unexpectedResult(let what): "unexpected change-tracking result: \(what)"
        }
    }
}
