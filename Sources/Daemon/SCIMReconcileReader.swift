import Directory
import OffsetStore
import Reconcile
import SCIM
import SCIMClient

/// A SCIM target read for reconciliation: the provider's users and groups, page by page,
/// each known by the source id the offset store maps its provider id to. A provider cannot
/// order by scimsync's ids, so each read is held and sorted in memory (ids and the compared
/// attributes: a few hundred bytes per resource). Resources scimsync has no id for are not
/// read as drift: a create that collides with one resolves it (409, `adopt`).
///
/// Blocking: called on the pass's own thread, never on Swift's cooperative pool.
final class SCIMReconcileReader: ReconcileTargetReader {
    private let client: SCIMClient
    private let store: OffsetStore
    private let pipeline: String
    private let pageSize: Int
    /// The last read's users by provider id → source id, for memberships.
    private var userSourceIDs: [String: String] = [:]

    init(client: SCIMClient, store: OffsetStore, pipeline: String, pageSize: Int = 100) {
        self.client = client
        self.store = store
        self.pipeline = pipeline
        self.pageSize = pageSize
    }

    /// The provider keeps scimsync's ids as the source has them: the source's order holds.
    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders {
        IDOrders(sameAs: source)
    }

    func isEmpty() throws -> Bool {
        try read(.user).isEmpty && read(.group).isEmpty
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let entries = try read(kind).map { sourceID, resource in
            var attributes = resource.attributes
            _ = attributes.removeValue(forKey: "meta")
            _ = attributes.removeValue(forKey: "members")
            attributes["id"] = .string(sourceID)
            return DirectoryEntry(id: sourceID, resource: SCIMResource(attributes))
        }.sorted { order.compare($0.id, $1.id) < 0 }
        return chunks(entries, chunkSize)
    }

    /// SCIM groups have no parent (RFC 7643 §4.2).
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        let parents = try read(.group).map { (id: $0.sourceID, parent: String?.none) }
            .sorted { order.compare($0.id, $1.id) < 0 }
        return chunks(parents, chunkSize)
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        _ = try read(.user)
        var memberships: [Membership] = []
        for (groupID, group) in try read(.group) {
            for member in group.memberIDs {
                guard let userID = userSourceIDs[member] else { continue }
                memberships.append(Membership(groupID: groupID, userID: userID))
            }
        }
        memberships.sort { order.compare($0, $1) < 0 }
        return chunks(memberships, chunkSize)
    }

    func existingUserIDs(_ ids: [String]) throws -> Set<String> {
        Set(ids).intersection(userSourceIDs.values)
    }

    func name(_ kind: ResourceKind) -> String {
        "SCIM provider's \(kind == .user ? "/Users" : "/Groups")"
    }

    var membershipsName: String { "SCIM provider's group members" }

    /// Every resource of `kind` that scimsync has an id for, with that source id.
    private func read(_ kind: ResourceKind) throws -> [(sourceID: String, resource: SCIMResource)] {
        let sourceIDs = try store.scimSourceIDs(kind: kind, pipeline: pipeline)
        let (client, pageSize) = (self.client, self.pageSize)
        let resources = try runBlocking { () async throws -> [SCIMResource] in
            var all: [SCIMResource] = []
            try await client.forEachPage(kind == .user ? .users : .groups, pageSize: pageSize) { all += $0 }
            return all
        }
        let found = resources.compactMap { resource -> (sourceID: String, resource: SCIMResource)? in
            guard let id = resource.id, let sourceID = sourceIDs[id] else { return nil }
            return (sourceID, resource)
        }
        if kind == .user {
            userSourceIDs = Dictionary(found.map { ($0.resource.id ?? "", $0.sourceID) }) { first, _ in first }
        }
        return found
    }
}
