import Directory
import Reconcile
import SCIM
import SCIMClient

/// A SCIM service provider as a reconciliation's source (the full pull of a `source: scim:`
/// pipeline): every user and group, read once when the reader is made (page by page, each
/// request awaited: no thread waits on the network), kept in a temporary file and served
/// back sorted by the provider's id (providers cannot be asked for a byte order; see
/// `SCIMSpool`), groups' members as memberships. Memory holds a page while reading and a
/// chunk while the pass runs, whatever the provider's size.
public final class SCIMSourceReader: ReconcileSourceReader {
    private let spool: SCIMSpool
    /// The latest `meta.lastModified` of the read: where incremental polls go on.
    public let watermark: SCIMWatermark

    /// Reads the provider's users and groups, by cursor when `paging` says the provider
    /// offers it.
    public static func read(client: SCIMClient, pageSize: Int, paging: SCIMPaging = .index) async throws
        -> SCIMSourceReader
    {
        let spool = try SCIMSpool()
        var watermark = SCIMWatermark()
        for (kind, endpoint) in [(ResourceKind.user, SCIMEndpoint.users), (.group, .groups)] {
            try await client.forEachPage(endpoint, pageSize: pageSize, paging: paging) { page in
                watermark.advance(past: page)
                try spool.add(page, kind: kind)
            }
        }
        return SCIMSourceReader(spool: spool, watermark: watermark)
    }

    private init(spool: SCIMSpool, watermark: SCIMWatermark) {
        self.spool = spool
        self.watermark = watermark
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

    public func name(_ kind: ResourceKind) -> String { "SCIM source's \(kind == .user ? "/Users" : "/Groups")" }
    public var membershipsName: String { "SCIM source's group members" }
}
