import Directory
import Reconcile
import SCIM
import SCIMClient

/// A SCIM target read for reconciliation: the provider's users and groups, each known by the
/// source id the id map maps its provider id to. A provider cannot order by scimsync's ids,
/// so the reader reads both collections in full when it is made (page by page, awaiting each
/// request: no thread waits on the network) and sorts them in memory: ids and the compared
/// attributes, a few hundred bytes per resource. Resources scimsync has no id for are not
/// read as drift: a create that collides with one resolves it (409, `adopt`).
final class SCIMReconcileReader: ReconcileTargetReader {
    private let users: [(sourceID: String, resource: SCIMResource)]
    private let groups: [(sourceID: String, resource: SCIMResource)]
    /// Users by provider id → source id, for memberships.
    private let userSourceIDs: [String: String]

    /// Reads what scimsync has on the provider now.
    static func read(client: SCIMClient, ids: any SCIMIDMap, pageSize: Int = 100) async throws -> SCIMReconcileReader {
        func read(_ kind: ResourceKind) async throws -> [(sourceID: String, resource: SCIMResource)] {
            let sourceIDs = try ids.sourceIDs(kind)
            var found: [(sourceID: String, resource: SCIMResource)] = []
            // A resource read twice (pages shifting while they are read) is kept once, as last
            // read: two of one id would stop the pass's merge-join.
            var index: [String: Int] = [:]
            _ = try await client.forEachPage(kind == .user ? .users : .groups, pageSize: pageSize) { page in
                for resource in page {
                    guard let id = resource.id, let sourceID = sourceIDs[id] else { continue }
                    if let at = index[sourceID] {
                        found[at] = (sourceID, resource)
                    } else {
                        index[sourceID] = found.count
                        found.append((sourceID, resource))
                    }
                }
            }
            return found
        }
        return SCIMReconcileReader(users: try await read(.user), groups: try await read(.group))
    }

    private init(users: [(sourceID: String, resource: SCIMResource)], groups: [(sourceID: String, resource: SCIMResource)]) {
        self.users = users
        self.groups = groups
        userSourceIDs = Dictionary(users.map { ($0.resource.id ?? "", $0.sourceID) }) { first, _ in first }
    }

    /// The provider keeps scimsync's ids as the source has them: the source's order holds.
    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders {
        IDOrders(sameAs: source)
    }

    func isEmpty() throws -> Bool {
        users.isEmpty && groups.isEmpty
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let entries = (kind == .user ? users : groups).map { sourceID, resource in
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
        let parents = groups.map { (id: $0.sourceID, parent: String?.none) }.sorted { order.compare($0.id, $1.id) < 0 }
        return chunks(parents, chunkSize)
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        var memberships: [Membership] = []
        for (groupID, group) in groups {
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

    func existingGroupIDs(_ ids: [String]) throws -> Set<String>? {
        Set(ids).intersection(groups.map(\.sourceID))
    }

    func name(_ kind: ResourceKind) -> String {
        "SCIM provider's \(kind == .user ? "/Users" : "/Groups")"
    }

    var membershipsName: String { "SCIM provider's group members" }
}
