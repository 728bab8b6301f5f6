import Directory
import DirectorySpool
import Reconcile

/// A chat platform's directory as one full read holds it, as a reconciliation's source: users,
/// groups (departments) with their parents, memberships; served in whichever id order the pass
/// asks for (a platform cannot be asked for its ids in byte or numeric order).
///
/// The read is kept on disk (``DirectorySpool/DirectorySpool``) and sorted there: memory holds a
/// page while the platform is read and a chunk while a pass runs, whatever the directory's size.
public final class ChatDirectoryReader: ReconcileSourceReader {
    /// The platform's name for messages (`Feishu`).
    public let platform: String
    let spool: DirectorySpool

    init(platform: String, spool: DirectorySpool) {
        self.platform = platform
        self.spool = spool
    }

    /// A read of the objects given (a test's, a small directory's).
    public convenience init(platform: String, users: [DirectoryEntry], groups: [DirectoryEntry], memberships: [Membership]) throws {
        let spool = try DirectorySpool(name: platform.lowercased(), repeats: .firstWins)
        try spool.add(groups, kind: .group)
        try spool.add(users, kind: .user, memberships: memberships)
        self.init(platform: platform, spool: spool)
    }

    /// Every user, read back whole and sorted by id (for tests and small directories; a pass
    /// reads ``entries(_:chunkSize:order:)`` a chunk at a time).
    public func users() throws -> [DirectoryEntry] { try all(entries(.user, chunkSize: 1000, order: .binary)) }
    /// Every group, read back whole and sorted by id.
    public func groups() throws -> [DirectoryEntry] { try all(entries(.group, chunkSize: 1000, order: .binary)) }
    /// Every membership, read back whole and sorted by user, then group.
    public func members() throws -> [Membership] { try all(memberships(chunkSize: 1000, order: .binary)) }

    private func all<Element>(_ chunks: ClosureChunks<Element>) throws -> [Element] {
        var chunks = chunks
        var elements: [Element] = []
        while let chunk = try chunks.next() { elements += chunk }
        return elements
    }

    public func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        try spool.entries(kind, chunkSize: chunkSize, order: order)
    }

    public func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        try spool.parents(chunkSize: chunkSize, order: order)
    }

    public func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        try spool.memberships(chunkSize: chunkSize, order: order)
    }

    public func name(_ kind: ResourceKind) -> String { "\(platform)'s \(kind == .user ? "users" : "departments")" }
    public var membershipsName: String { "\(platform)'s department members" }
    /// The read is served from one file: nothing to read ahead (said once here, as a source and
    /// as a target read back).
    public var readsAhead: Bool { false }
}

/// What a full read hands its spool: users and memberships a page at a time, so that memory
/// holds a page whatever the directory's size.
struct ChatReadBuffer {
    let platform: String
    let spool: DirectorySpool
    private var users: [DirectoryEntry] = []
    private var memberships: [Membership] = []
    /// How many objects are held before they go to the spool.
    private static let page = 1000

    init(platform: String) throws {
        self.platform = platform
        spool = try DirectorySpool(name: platform.lowercased(), repeats: .firstWins)
    }

    mutating func add(user: DirectoryEntry) throws {
        users.append(user)
        if users.count >= Self.page { try flush() }
    }

    mutating func add(membership: Membership) throws {
        memberships.append(membership)
        if memberships.count >= Self.page { try flush() }
    }

    /// Departments: a tree is small, read whole before its users.
    func add(groups: [DirectoryEntry]) throws {
        try spool.add(groups, kind: .group)
    }

    mutating func flush() throws {
        guard !users.isEmpty || !memberships.isEmpty else { return }
        try spool.add(users, kind: .user, memberships: memberships)
        users.removeAll(keepingCapacity: true)
        memberships.removeAll(keepingCapacity: true)
    }

    /// The read, once every page is in.
    mutating func reader() throws -> ChatDirectoryReader {
        try flush()
        return ChatDirectoryReader(platform: platform, spool: spool)
    }
}
