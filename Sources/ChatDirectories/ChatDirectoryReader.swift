import Directory
import Reconcile

/// A chat platform's directory as one full read holds it, as a reconciliation's source: users,
/// groups (departments) with their parents, memberships; served in whichever id order the pass
/// asks for (a platform cannot be asked for its ids in byte or numeric order).
///
/// The read is held in memory: a department tree and its users as SCIM resources, about a
/// kilobyte a user. A platform that paces reads at Feishu's 1,000 calls a minute gives 50,000
/// users a minute at most, so a directory large enough for that to matter also takes minutes
/// to read; a spool on disk (as the SCIM pull keeps) is the next step there.
public final class ChatDirectoryReader: ReconcileSourceReader {
    /// The platform's name for messages (`Feishu`).
    public let platform: String
    public let users: [DirectoryEntry]
    public let groups: [DirectoryEntry]
    public let members: [Membership]

    public init(platform: String, users: [DirectoryEntry], groups: [DirectoryEntry], memberships: [Membership]) {
        self.platform = platform
        self.users = users
        self.groups = groups
        members = memberships
    }

    public func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        chunks((kind == .user ? users : groups).sorted { order.precedes($0.id, $1.id) }, max(chunkSize, 1))
    }

    public func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(groups.sorted { order.precedes($0.id, $1.id) }.map { (id: $0.id, parent: $0.parentID) }, max(chunkSize, 1))
    }

    public func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        chunks(members.sorted { order.compare($0, $1) < 0 }, max(chunkSize, 1))
    }

    public func name(_ kind: ResourceKind) -> String { "\(platform)'s \(kind == .user ? "users" : "departments")" }
    public var membershipsName: String { "\(platform)'s department members" }
    /// The read is in memory already: nothing to read ahead (said once here, as a source and
    /// as a target read back).
    public var readsAhead: Bool { false }
}
