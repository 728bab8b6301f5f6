import Directory
import Logging
import Reconcile
import SCIM

/// A Feishu target read for reconciliation: the tenant read as the Feishu source reads it
/// (``FeishuDirectoryRead``: the department tree, each department's users page by page),
/// through the target's attribute map and `active` as not `status.is_frozen`, each object known
/// by the source id the id map maps it to. Objects scimsync has no id for are not read as
/// drift: a create that meets one resolves it (41011, 43007, `adopt`). The root `0` and the
/// default department, unless mapped, are no memberships.
final class FeishuReconcileReader: ReconcileTargetReader {
    private let users: [DirectoryEntry]
    private let groups: [DirectoryEntry]
    private let members: [Membership]

    static func read(
        client: FeishuClient, ids: any ChatTargetIDMap, settings: FeishuTargetConfig, logger: Logger
    ) async throws -> FeishuReconcileReader {
        let layout = settings.targetLayout
        let records = FeishuRecords(
            users: layout?.users.attributes ?? settings.users, groups: layout?.groups?.attributes ?? settings.groups)
        let read = try await FeishuDirectoryRead(client: client, records: records, pageSize: 50, logger: logger).read()
        let userSources = try ids.sourceIDs(.user)
        let groupSources = try ids.sourceIDs(.group)
        let members = read.members.compactMap { membership -> Membership? in
            guard let user = userSources[membership.userID], let group = groupSources[membership.groupID] else { return nil }
            return Membership(groupID: group, userID: user)
        }
        let users = read.users.compactMap { entry -> DirectoryEntry? in
            guard let sourceID = userSources[entry.id] else { return nil }
            var resource = entry.resource
            resource.attributes["id"] = .string(sourceID)
            return DirectoryEntry(id: sourceID, resource: resource)
        }
        let groups = read.groups.compactMap { entry -> DirectoryEntry? in
            guard let sourceID = groupSources[entry.id] else { return nil }
            var resource = entry.resource
            resource.attributes["id"] = .string(sourceID)
            return DirectoryEntry(id: sourceID, resource: resource, parentID: entry.parentID.flatMap { groupSources[$0] })
        }
        return FeishuReconcileReader(users: users, groups: groups, members: members)
    }

    private init(users: [DirectoryEntry], groups: [DirectoryEntry], members: [Membership]) {
        self.users = users
        self.groups = groups
        self.members = members
    }

    /// Feishu is read back by the source's ids: the source's order holds.
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
        "Feishu's \(kind == .user ? "users" : "departments")"
    }

    var membershipsName: String { "Feishu's department members" }
}
