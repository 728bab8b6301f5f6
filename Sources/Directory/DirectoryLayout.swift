import SCIM

/// How a SQL database holds a directory: which tables, which columns, and how columns map
/// to SCIM attributes. Sources, targets, reconciliation and the SCIM server all use it.
public struct DirectoryLayout: Sendable, Hashable {
    public var users: UsersTable
    public var groups: GroupsTable?
    /// A relation table with one row per (user, group). Absent when membership is a group
    /// column on the users table (`users.group`) or when there is no membership at all.
    public var membership: MembershipTable?
    /// The zone in which the database's wall-clock columns (DATETIME, DATE, PostgreSQL
    /// `timestamp without time zone`) are read and written; UTC unless the layout says otherwise.
    public var timeZone: WallClockZone

    public init(
        users: UsersTable, groups: GroupsTable? = nil, membership: MembershipTable? = nil,
        timeZone: WallClockZone = .utc
    ) {
        self.users = users
        self.groups = groups
        self.membership = membership
        self.timeZone = timeZone
    }
}

/// The users table.
public struct UsersTable: Sendable, Hashable {
    public var table: String
    public var attributes: AttributeMap
    /// One-to-many membership: the column holding the id of the user's group.
    public var group: String?

    public init(table: String, attributes: AttributeMap, group: String? = nil) {
        self.table = table
        self.attributes = attributes
        self.group = group
    }
}

/// The groups table (organisations), optionally a hierarchy through `parent`.
public struct GroupsTable: Sendable, Hashable {
    public var table: String
    public var attributes: AttributeMap
    /// The column holding the id of the parent group; NULL for a root.
    public var parent: String?

    public init(table: String, attributes: AttributeMap, parent: String? = nil) {
        self.table = table
        self.attributes = attributes
        self.parent = parent
    }
}

/// A many-to-many relation table between users and groups.
public struct MembershipTable: Sendable, Hashable {
    public var table: String
    public var user: String
    public var group: String

    public init(table: String, user: String, group: String) {
        self.table = table
        self.user = user
        self.group = group
    }
}

/// The map between SCIM attribute paths and columns, in the order the config gives them.
/// The `id` entry is required.
public struct AttributeMap: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        /// The path as written in the config, for messages.
        public var pathText: String
        public var path: AttributePath
        public var column: String
        public init(pathText: String, path: AttributePath, column: String) {
            self.pathText = pathText
            self.path = path
            self.column = column
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The column mapped to `id`.
    public var idColumn: String? {
        // `id`, or `urn:ietf:params:scim:schemas:core:2.0:User:id` (a fully qualified name,
        // RFC 7644 §3.10).
        entries.first { $0.path.isID }?.column
    }
}
