import Directory

/// What one run does to one user: the operations for the target and the state the store
/// records once they are applied.
public struct FeedChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// New in the feed: created (with its managed groups).
        case create
        /// Its record changed: patched, memberships in managed groups adjusted.
        case update
        /// Gone from the feed: deactivated (SCIM `active=false`); memberships are kept, so
        /// that a user who returns comes back as they were.
        case block
        /// Back in the feed after a block: reactivated, and updated if its record changed.
        case unblock
        /// A userName the target already had before the feed created one: reported and left
        /// alone (the feed never adopts users).
        case foreign
        /// The record was skipped this run: nothing changes, the next run retries it.
        case skipped
        /// Recorded only (a digest that changed without changing what the target holds).
        case recorded
    }

    public var kind: Kind
    public var key: String
    public var userName: String
    /// In an order the target accepts for this user; ``FeedPlanChunk`` orders a chunk's whole.
    public var ops: [ResourceOp]
    /// The store's row for the user after the operations are applied.
    public var state: KnownUser
    /// Where the upload has the user's record (for reports), when it has one.
    public var location: RecordLocation?

    public init(
        kind: Kind, key: String, userName: String, ops: [ResourceOp], state: KnownUser, location: RecordLocation? = nil
    ) {
        self.kind = kind
        self.key = key
        self.userName = userName
        self.ops = ops
        self.state = state
        self.location = location
    }
}
