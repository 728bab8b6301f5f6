import Connectors
import Directory
import Reconcile
import SCIM

/// What a feed has made of the target, as of now: the managed groups (id and displayName),
/// every user the feed created as it was last written (a blocked one with `active` false)
/// and those users' memberships in managed groups. Users the feed did not create are not
/// in it, so a pass never touches them.
///
/// Read from the feed's store in one go and kept in memory (a user is a few hundred bytes).
final class FeedSnapshot: SourceSnapshot {
    private let users: [DirectoryEntry]
    private let groups: [DirectoryEntry]
    private let members: [Membership]
    let position: SourcePosition

    init(site: FeedSite) throws {
        let store = site.store
        // The position first: what the store holds is at least as new as it.
        if let running = try store.runningRun() {
            position = FeedPosition(run: running.id, applied: running.appliedThrough).sourcePosition
        } else if let complete = try store.lastCompleteRun() {
            position = FeedPosition(run: complete.id, applied: complete.planned).sourcePosition
        } else {
            position = FeedPosition(run: 0, applied: 0).sourcePosition
        }
        var users: [DirectoryEntry] = []
        var members: [Membership] = []
        for user in try store.users() where user.owned {
            guard let id = user.id, var resource = user.resource else { continue }
            resource.id = id
            if !user.inFeed { resource.attributes["active"] = .bool(false) }
            users.append(DirectoryEntry(id: id, resource: resource))
            members += user.groups.map { Membership(groupID: $0, userID: id) }
        }
        self.users = users
        self.members = members
        groups = site.control.managedGroups.map { group in
            var attributes = SCIMObject()
            attributes["id"] = .string(group.id)
            if let name = group.displayName { attributes["displayName"] = .string(name) }
            return DirectoryEntry(id: group.id, resource: SCIMResource(attributes))
        }
    }

    /// The ids are the userNames as first uploaded, and the control file's group ids: text.
    var idTypes: SourceIDTypes { .scim }
    var reader: any ReconcileSourceReader { FeedSnapshotReader(snapshot: self) }

    /// Into an empty target: the managed groups, then the feed's users, then their
    /// memberships.
    func loadPhases(chunkSize: Int) throws -> [LoadPhase]? {
        func phase<T>(_ name: String, creates: Bool, _ items: [T], _ op: @escaping (T) -> ResourceOp) -> LoadPhase {
            LoadPhase(name: name, creates: creates) {
                var start = 0
                return {
                    guard start < items.count else { return nil }
                    defer { start += chunkSize }
                    return ResourceOp.ordered(items[start..<min(start + chunkSize, items.count)].map(op))
                }
            }
        }
        return [
            phase("groups", creates: true, groups) { .create(.group, $0.resource) },
            phase("users", creates: true, users) { .create(.user, $0.resource) },
            phase("memberships", creates: false, members) { .addMember(groupID: $0.groupID, userID: $0.userID) },
        ]
    }

    func finish() throws {}

    fileprivate func entries(_ kind: ResourceKind) -> [DirectoryEntry] {
        kind == .user ? users : groups
    }

    fileprivate var memberships: [Membership] { members }
}

/// A feed snapshot as a reconciliation pass reads it, sorted in the order the pass asks.
private final class FeedSnapshotReader: ReconcileSourceReader {
    let snapshot: FeedSnapshot

    init(snapshot: FeedSnapshot) {
        self.snapshot = snapshot
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        chunks(snapshot.entries(kind).sorted { order.precedes($0.id, $1.id) }, chunkSize)
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(snapshot.entries(.group).sorted { order.precedes($0.id, $1.id) }.map { (id: $0.id, parent: String?.none) }, chunkSize)
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        chunks(snapshot.memberships.sorted { order.compare($0, $1) < 0 }, chunkSize)
    }

    func name(_ kind: ResourceKind) -> String { kind == .user ? "the feed's users" : "the feed's managed groups" }
    var membershipsName: String { "the feed's memberships in managed groups" }
    /// The managed groups: memberships in other groups are not the feed's.
    var membershipGroups: Set<String>? { Set(snapshot.entries(.group).map(\.id)) }
}
