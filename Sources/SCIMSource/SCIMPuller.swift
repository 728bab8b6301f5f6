import Directory
import SCIM
import SCIMClient

/// A SCIM service provider read as a source: full pulls, page by page, and
/// incremental polls of what changed since a watermark.
///
/// Users are read before groups, so that a group's members (listed on the group, RFC 7643
/// §4.2) exist by the time its page is applied.
public final class SCIMPuller: Sendable {
    public let client: SCIMClient
    /// Resources per page asked for.
    public let pageSize: Int
    /// By cursor when the provider offers it.
    public let paging: SCIMPaging

    public init(client: SCIMClient, pageSize: Int = 100, paging: SCIMPaging = .index) {
        self.client = client
        self.pageSize = max(1, pageSize)
        self.paging = paging
    }

    /// Reads every user, then every group, handing each page to `body`.
    ///
    /// - Returns: the latest `meta.lastModified` seen, where incremental polling can start.
    public func fullPull(_ body: (ResourceKind, [SCIMResource]) async throws -> Void) async throws -> SCIMWatermark {
        try await read(filter: nil, watermark: SCIMWatermark(), body)
    }

    /// Reads what changed after `watermark` (`filter=meta.lastModified gt "…"`; the provider
    /// must support it, see ``SCIMCapabilities``). Deletions are not visible this way: the
    /// periodic full pull finds them.
    ///
    /// - Returns: the advanced watermark (unchanged when nothing changed).
    public func changes(
        since watermark: SCIMWatermark, _ body: (ResourceKind, [SCIMResource]) async throws -> Void
    ) async throws -> SCIMWatermark {
        guard let lastModified = watermark.lastModified else { return try await fullPull(body) }
        return try await read(filter: SCIMWatermark.filter(after: lastModified), watermark: watermark, body)
    }

    private func read(
        filter: String?, watermark: SCIMWatermark, _ body: (ResourceKind, [SCIMResource]) async throws -> Void
    ) async throws -> SCIMWatermark {
        var watermark = watermark
        for kind in [ResourceKind.user, .group] {
            try await client.forEachPage(kind == .user ? .users : .groups, filter: filter, pageSize: pageSize, paging: paging) {
                page in
                watermark.advance(past: page)
                try await body(kind, page)
            }
        }
        return watermark
    }
}
