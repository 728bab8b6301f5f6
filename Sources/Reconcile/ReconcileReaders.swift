import Directory

/// The source side of a pass, in the order the ids agreed on: a SQL source's consistent
/// snapshot in key order, or a SCIM provider read page by page and sorted.
public protocol ReconcileSourceReader: AnyObject {
    /// Users or groups, in `order`.
    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry>
    /// Each group's parent, in `order`.
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)>
    /// Memberships by user, then group, in `order`.
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership>
    /// What error messages call the kind's store (`source table hr_users`).
    func name(_ kind: ResourceKind) -> String
    /// What they call the memberships' store.
    var membershipsName: String { get }
    /// Whether the pass may read the chunks of `entries`, `parents` and `memberships` on a
    /// thread of its own, one at a time and ahead of the comparison (false by default: the
    /// reader is then only used from the pass's thread).
    var readsAhead: Bool { get }
    /// The groups whose memberships the source decides, when it decides only some (a feed,
    /// its managed groups): the target's memberships in other groups are left alone. Nil by
    /// default: every membership is the source's.
    var membershipGroups: Set<String>? { get }
}

extension ReconcileSourceReader {
    public var readsAhead: Bool { false }
    public var membershipGroups: Set<String>? { nil }
}

/// The target side of a pass: the target's users, groups, parents and memberships as streams
/// in the merge-join's id order. A SQL target is read in keyset chunks, a SCIM service
/// provider page by page.
public protocol ReconcileTargetReader: AnyObject {
    /// The order each merge-join reads in, agreed with the source's id types.
    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders
    /// Whether the target has no users and no groups (a first load).
    func isEmpty() throws -> Bool
    /// Users or groups, in `order`.
    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry>
    /// Each group's parent, in `order`.
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)>
    /// Memberships by user, then group, in `order`.
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership>
    /// Which of `ids` the target has as users.
    func existingUserIDs(_ ids: [String]) throws -> Set<String>
    /// Which of `ids` the target has as groups; nil when the reader cannot tell (the
    /// default).
    func existingGroupIDs(_ ids: [String]) throws -> Set<String>?
    /// What error messages call the kind's store (`target table portal_users`).
    func name(_ kind: ResourceKind) -> String
    /// What they call the memberships' store.
    var membershipsName: String { get }
    /// Whether the pass may read the chunks of `entries`, `parents` and `memberships` on a
    /// thread of its own, one at a time and ahead of the comparison, calling
    /// `existingUserIDs` only between two such reads (false by default: the reader is then
    /// only used from the pass's thread).
    var readsAhead: Bool { get }
}

extension ReconcileTargetReader {
    public var readsAhead: Bool { false }

    public func existingGroupIDs(_ ids: [String]) throws -> Set<String>? { nil }
}

/// Chunks from a closure: the merge-join's view of any reader.
public struct ClosureChunks<Element>: OrderedChunks {
    let nextChunk: () throws -> [Element]?

    public init(_ nextChunk: @escaping () throws -> [Element]?) {
        self.nextChunk = nextChunk
    }

    public mutating func next() throws -> [Element]? { try nextChunk() }
}

/// Serves a sorted array a chunk at a time.
public func chunks<Element>(_ elements: [Element], _ size: Int) -> ClosureChunks<Element> {
    var start = 0
    return ClosureChunks {
        guard start < elements.count else { return nil }
        defer { start += size }
        return Array(elements[start..<min(start + size, elements.count)])
    }
}

/// The types of the source's id columns, read from its catalog before the snapshot: they
/// decide the order both sides are read in.
public struct SourceIDTypes: Sendable, Hashable {
    public var users: ColumnType
    public var groups: ColumnType?
    /// The relation table's user column, or the users id without one.
    public var membershipUsers: ColumnType

    public init(users: ColumnType, groups: ColumnType?, membershipUsers: ColumnType) {
        self.users = users
        self.groups = groups
        self.membershipUsers = membershipUsers
    }

    /// A SCIM provider's ids: text (RFC 7643 §3.1), compared byte by byte.
    public static let scim = SourceIDTypes(
        users: .text(maxLength: nil), groups: .text(maxLength: nil), membershipUsers: .text(maxLength: nil))
}

/// The order each merge-join reads in, the same on both sides.
public struct IDOrders: Sendable, Hashable {
    public var users: IDOrder
    public var groups: IDOrder
    public var memberships: IDOrder

    /// Both sides in the source's order (a target that keeps the source's ids as given).
    public init(sameAs source: SourceIDTypes) {
        users = IDOrder(source.users)
        groups = source.groups.map(IDOrder.init) ?? users
        memberships = IDOrder(source.membershipUsers)
    }

    /// The order both sides agree on, given the target's id column types (`groups` nil when the
    /// target keeps no groups).
    public init(
        source: SourceIDTypes, targetUsers: ColumnType, targetGroups: ColumnType?, targetMembershipUsers: ColumnType,
        pipeline: String
    ) throws {
        func agreed(_ what: String, _ sourceType: ColumnType, _ targetType: ColumnType) throws -> IDOrder {
            switch (IDOrder(sourceType), IDOrder(targetType)) {
            case (.numeric, _):
                // A target keeping integer ids as text is read in integer order (cast).
                return .numeric
            case (.binary, .binary):
                return .binary
            case (.binary, .numeric):
                throw ReconcileSetupError(
                    description: "pipeline \(pipeline): the \(what) id is text in the source but an integer in the "
                        + "target; reconciliation reads both sides in one id order and cannot order the source's "
                        + "text ids as integers")
            }
        }
        users = try agreed("users", source.users, targetUsers)
        if let sourceGroups = source.groups, let targetGroups {
            groups = try agreed("groups", sourceGroups, targetGroups)
        } else {
            groups = users
        }
        memberships = try agreed("membership user", source.membershipUsers, targetMembershipUsers)
    }
}
