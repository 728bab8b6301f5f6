import Directory
import Reconcile
import SCIM
import SCIMClient

/// A SCIM service provider as a reconciliation's source (the full pull of a `source: scim:`
/// pipeline): every user and group, read once when the reader is made (page by page, each
/// request awaited: no thread waits on the network), held and sorted by the provider's id
/// (providers cannot be asked for a byte order), groups' members as memberships.
public final class SCIMSourceReader: ReconcileSourceReader {
    private let users: [SCIMResource]
    private let groups: [SCIMResource]
    /// The latest `meta.lastModified` of the read: where incremental polls go on.
    public let watermark: SCIMWatermark

    /// Reads the provider's users and groups.
    public static func read(client: SCIMClient, pageSize: Int, paging: SCIMPaging = .index) async throws
        -> SCIMSourceReader
    {
        var watermark = SCIMWatermark()
        func read(_ endpoint: SCIMEndpoint) async throws -> [SCIMResource] {
            var all: [SCIMResource] = []
            _ = try await client.forEachPage(endpoint, pageSize: pageSize, paging: paging) { all += $0 }
            watermark.advance(past: all)
            return all.filter { $0.id?.isEmpty == false }
        }
        let users = try await read(.users)
        let groups = try await read(.groups)
        return SCIMSourceReader(users: users, groups: groups, watermark: watermark)
    }

    private init(users: [SCIMResource], groups: [SCIMResource], watermark: SCIMWatermark) {
        self.users = users
        self.groups = groups
        self.watermark = watermark
    }

    public func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let entries = (kind == .user ? users : groups).map { resource in
            var attributes = resource.attributes
            _ = attributes.removeValue(forKey: "meta")
            _ = attributes.removeValue(forKey: "members")
            return DirectoryEntry(id: resource.id ?? "", resource: SCIMResource(attributes))
        }.sorted { order.compare($0.id, $1.id) < 0 }
        return chunks(entries, chunkSize)
    }

    public func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(groups.map { (id: $0.id ?? "", parent: String?.none) }.sorted { order.compare($0.id, $1.id) < 0 }, chunkSize)
    }

    public func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        var memberships: [Membership] = []
        for group in groups {
            guard let groupID = group.id else { continue }
            memberships += group.memberIDs.map { Membership(groupID: groupID, userID: $0) }
        }
        return chunks(memberships.sorted { order.compare($0, $1) < 0 }, chunkSize)
    }

    public func name(_ kind: ResourceKind) -> String { "SCIM source's \(kind == .user ? "/Users" : "/Groups")" }
    public var membershipsName: String { "SCIM source's group members" }
}
