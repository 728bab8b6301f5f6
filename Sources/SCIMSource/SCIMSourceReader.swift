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
            var withoutID = 0
            var total: Int?
            try await client.forEachPage(endpoint, pageSize: pageSize, paging: paging, total: { total = $0 }) { page in
                watermark.advance(past: page)
                withoutID += try spool.add(page, kind: kind)
            }
            try complete(endpoint, read: try spool.count(kind), withoutID: withoutID, total: total)
        }
        return SCIMSourceReader(spool: spool, watermark: watermark)
    }

    /// Refuses a read that missed resources: a pass removes (or deactivates) what its source
    /// lacks, so resources left out of an incomplete read would be removed from the target.
    /// The full pull fails with the reason and runs again.
    /// - Parameters:
    ///   - read: the distinct resources kept.
    ///   - withoutID: resources that had no id (none, or not a string).
    ///   - total: the last page's `totalResults`.
    static func complete(_ endpoint: SCIMEndpoint, read: Int, withoutID: Int, total: Int?) throws(SCIMClientError) {
        let request = "GET /\(endpoint.rawValue)"
        if withoutID > 0 {
            throw .invalidResponse(
                request: request,
                reason: "\(withoutID) resources have no id (RFC 7643 §3.1: a string): the read is incomplete, "
                    + "so nothing of it is applied; the next full pull reads again")
        }
        if let total, read < total {
            throw .invalidResponse(
                request: request,
                reason: "\(read) distinct resources read where the provider's last page says it holds \(total) (its pages "
                    + "shifted, repeated or ended early): the read is incomplete, so nothing of it is applied; "
                    + "the next full pull reads again")
        }
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
