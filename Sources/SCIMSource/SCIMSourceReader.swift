import Directory
import Reconcile
import SCIM
import SCIMClient

/// A SCIM service provider as a reconciliation's source (the full pull of a `source: scim:`
/// pipeline): every user and group read page by page, held and sorted by the provider's id
/// (providers cannot be asked for a byte order), groups' members as memberships. Blocking:
/// called on the pass's own thread, never on Swift's cooperative pool.
public final class SCIMSourceReader: ReconcileSourceReader {
    private let client: SCIMClient
    private let pageSize: Int
    /// The latest `meta.lastModified` of the last read: where incremental polls go on.
    public private(set) var watermark = SCIMWatermark()

    public init(client: SCIMClient, pageSize: Int) {
        self.client = client
        self.pageSize = pageSize
    }

    public func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let entries = try read(kind).map { resource in
            var attributes = resource.attributes
            _ = attributes.removeValue(forKey: "meta")
            _ = attributes.removeValue(forKey: "members")
            return DirectoryEntry(id: resource.id ?? "", resource: SCIMResource(attributes))
        }.sorted { order.compare($0.id, $1.id) < 0 }
        return chunks(entries, chunkSize)
    }

    public func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        chunks(try read(.group).map { (id: $0.id ?? "", parent: String?.none) }.sorted { order.compare($0.id, $1.id) < 0 }, chunkSize)
    }

    public func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        var memberships: [Membership] = []
        for group in try read(.group) {
            guard let groupID = group.id else { continue }
            memberships += group.memberIDs.map { Membership(groupID: groupID, userID: $0) }
        }
        return chunks(memberships.sorted { order.compare($0, $1) < 0 }, chunkSize)
    }

    public func name(_ kind: ResourceKind) -> String { "SCIM source's \(kind == .user ? "/Users" : "/Groups")" }
    public var membershipsName: String { "SCIM source's group members" }

    private func read(_ kind: ResourceKind) throws -> [SCIMResource] {
        let (client, pageSize) = (self.client, self.pageSize)
        let resources = try runBlocking { () async throws -> [SCIMResource] in
            var all: [SCIMResource] = []
            try await client.forEachPage(kind == .user ? .users : .groups, pageSize: pageSize) { all += $0 }
            return all
        }
        watermark.advance(past: resources)
        return resources.filter { $0.id?.isEmpty == false }
    }
}
