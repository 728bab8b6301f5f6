import Directory
import Logging
import Reconcile
import SCIM

/// A DingTalk target read for reconciliation: the organisation read as the DingTalk source
/// reads it (``DingTalkDirectoryRead``: the department tree level by level, each department's
/// users page by page), through the target's attribute map, each object known by the source
/// id the id map maps it to. Objects scimsync has no id for are not read as drift: a create
/// that meets one resolves it (60102, 60008, `adopt`). A user in the deactivated department
/// reads as `active` false; the default and deactivated departments, like the root, are no
/// memberships.
final class DingTalkReconcileReader: ReconcileTargetReader {
    private let users: [DirectoryEntry]
    private let groups: [DirectoryEntry]
    private let members: [Membership]

    static func read(
        client: DingTalkClient, ids: any ChatTargetIDMap, settings: DingTalkTargetConfig, logger: Logger
    ) async throws -> DingTalkReconcileReader {
        let layout = settings.targetLayout
        let records = DingTalkRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        let read = try await DingTalkDirectoryRead(client: client, records: records, pageSize: 100, logger: logger).read()
        let userSources = try ids.sourceIDs(.user)
        let groupSources = try ids.sourceIDs(.group)
        let deactivated = settings.deactivatedDepartment.map(String.init)
        var deactivatedUsers: Set<String> = []
        var members: [Membership] = []
        for membership in read.members {
            if membership.groupID == deactivated { deactivatedUsers.insert(membership.userID) }
            guard let user = userSources[membership.userID], let group = groupSources[membership.groupID] else { continue }
            members.append(Membership(groupID: group, userID: user))
        }
        let users = read.users.compactMap { entry -> DirectoryEntry? in
            guard let sourceID = userSources[entry.id] else { return nil }
            var resource = entry.resource
            resource.attributes["id"] = .string(sourceID)
            resource.attributes["active"] = .bool(!deactivatedUsers.contains(entry.id))
            return DirectoryEntry(id: sourceID, resource: resource)
        }
        let groups = read.groups.compactMap { entry -> DirectoryEntry? in
            guard let sourceID = groupSources[entry.id] else { return nil }
            var resource = entry.resource
            resource.attributes["id"] = .string(sourceID)
            return DirectoryEntry(id: sourceID, resource: resource, parentID: entry.parentID.flatMap { groupSources[$0] })
        }
        return DingTalkReconcileReader(users: users, groups: groups, members: members)
    }

    private init(users: [DirectoryEntry], groups: [DirectoryEntry], members: [Membership]) {
        self.users = users
        self.groups = groups
        self.members = members
    }

    /// DingTalk keeps the source's ids in the map: the source's order holds.
    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders {
        IDOrders(sameAs: source)
    }

    func isEmpty() throws -> Bool {
        users.isEmpty && groups.isEmpty
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        chunks((kind == .user ? users : groups).sorted { order.precedes($0.id, $1.id) }, max(chunkSize, 1))
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(groups.sorted { order.precedes($0.id, $1.id) }.map { (id: $0.id, parent: $0.parentID) }, max(chunkSize, 1))
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        chunks(members.sorted { order.compare($0, $1) < 0 }, max(chunkSize, 1))
    }

    func existingUserIDs(_ ids: [String]) throws -> Set<String> {
        Set(ids).intersection(users.map(\.id))
    }

    func name(_ kind: ResourceKind) -> String {
        "DingTalk's \(kind == .user ? "users" : "departments")"
    }

    var membershipsName: String { "DingTalk's department members" }
}
