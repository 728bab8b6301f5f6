import SCIM

/// What the feed remembers of a user from earlier runs: the store's row for one userName.
public struct KnownUser: Sendable {
    /// The folded userName (``FeedUser/key(_:)``).
    public var key: String
    public var userName: String
    /// The target id of a user the feed created; nil for one it did not.
    public var id: String?
    /// Whether the feed created the user (the ownership ledger): only such users are ever
    /// changed, blocked or unblocked. A user of the same userName that was already in the
    /// target is recorded with false, and left alone.
    public var owned: Bool
    /// Whether the last applied run had the user (false: blocked).
    public var inFeed: Bool
    public var digest: String?
    /// The user as last written to the target.
    public var resource: SCIMResource? {
        get { storedResource.resource }
        set { storedResource = StoredResource(newValue) }
    }
    var storedResource: StoredResource
    /// The managed groups the user was last put in.
    public var groups: [String]
    /// The last raw record, as JSON text.
    public var rawJSON: String?
    /// The last run that changed the user.
    public var lastChangedRun: Int64?
    /// Set when the user's last record was skipped or applying it failed: the next run
    /// compares it in full instead of trusting the digest.
    public var error: Bool
    /// Read without its resource, groups, raw record and last changing run (planning reads
    /// those only for a user it changes, blocks or keeps as skipped:
    /// ``FeedStore/lightKnownUser(from:)``).
    var partial = false

    public init(
        key: String, userName: String, id: String?, owned: Bool, inFeed: Bool, digest: String?, resource: SCIMResource?,
        groups: [String], rawJSON: String?, lastChangedRun: Int64?, error: Bool
    ) {
        self.key = key
        self.userName = userName
        self.id = id
        self.owned = owned
        self.inFeed = inFeed
        self.digest = digest
        self.storedResource = StoredResource(resource)
        self.groups = groups
        self.rawJSON = rawJSON
        self.lastChangedRun = lastChangedRun
        self.error = error
    }
}

extension KnownUser: Hashable {
    /// Resources compare by their attributes, whether parsed or still stored text.
    public static func == (a: KnownUser, b: KnownUser) -> Bool {
        a.key == b.key && a.userName == b.userName && a.id == b.id && a.owned == b.owned && a.inFeed == b.inFeed
            && a.digest == b.digest && a.groups == b.groups && a.rawJSON == b.rawJSON
            && a.lastChangedRun == b.lastChangedRun && a.error == b.error && a.resource == b.resource
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(key)
        hasher.combine(digest)
    }
}

/// One userName of the current upload: its user, or that its record was skipped (then the
/// user is neither changed nor blocked this run, and is retried by the next).
public enum CurrentEntry: Sendable, Hashable {
    case user(FeedUser)
    case skipped(key: String, userName: String)
    /// A record staged by its digest alone: the same digest as the user the feed created,
    /// holds and applied without error when the upload was read (``StagedItem/unchanged``).
    case unchanged(key: String, userName: String, digest: String)

    public var key: String {
        switch self {
        case .user(let user): user.key
        case .skipped(let key, _), .unchanged(let key, _, _): key
        }
    }
}

/// The order userNames are compared and stored in: their folded text's UTF-8 bytes, the order
/// SQLite's BINARY collation gives, so that a merge of store rows and upload rows agrees with
/// the store's `ORDER BY`.
enum KeyOrder {
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }
}
