import SCIM

/// How a provider is asked for the pages of a list.
public enum SCIMPaging: Sendable, Hashable {
    /// `startIndex` and `count` until `totalResults` (RFC 7644 §3.4.2.4): every provider.
    case index
    /// `cursor` and `count` until a page has no `nextCursor` (RFC 9865 §2), for providers
    /// whose ServiceProviderConfig says `pagination.cursor`: each page costs the provider the
    /// same however deep it is, and rows added or removed while reading shift no page.
    case cursor
}

extension SCIMClient {
    /// Reads every resource of `endpoint` that matches `filter`, a page at a time, handing
    /// each page to `body` before the next is asked for: memory holds one page whatever the
    /// directory's size.
    ///
    /// - Returns: the resources read.
    @discardableResult
    /// - Parameter total: called with each page's `totalResults`, when it has one.
    public func forEachPage(
        _ endpoint: SCIMEndpoint, filter: String? = nil, pageSize: Int, paging: SCIMPaging = .index,
        total: (Int) -> Void = { _ in }, _ body: ([SCIMResource]) async throws -> Void
    ) async throws -> Int {
        switch paging {
        case .index:
            var cursor = PageCursor(pageSize: pageSize)
            var read = 0
            var previous: Set<String> = []
            var firstTotal: Int?
            while !cursor.isDone {
                let asked = cursor.startIndex
                let page = try await search(endpoint, filter: filter, startIndex: asked, count: cursor.pageSize)
                guard let pageTotal = page.totalResults else {
                    throw SCIMClientError.invalidResponse(
                        request: "GET /\(endpoint.rawValue)", reason: "a page asked for by startIndex has no totalResults")
                }
                // A provider that ignores startIndex answers every page with the first: the
                // read would never end (and a total that lies keeps it going).
                let ids = Set(page.resources.compactMap(\.id))
                if !ids.isEmpty, ids.isSubset(of: previous) {
                    throw SCIMClientError.invalidResponse(
                        request: "GET /\(endpoint.rawValue)",
                        reason: "the page at startIndex \(asked) repeats the page before it: the provider does not page by startIndex")
                }
                previous = ids
                firstTotal = firstTotal ?? pageTotal
                total(pageTotal)
                cursor.pageReceived(resources: page.resources.count, totalResults: pageTotal)
                read += page.resources.count
                // A directory may grow while it is read, not to twice what it said it held.
                if let firstTotal, read > 2 * max(firstTotal, pageTotal) + cursor.pageSize {
                    throw SCIMClientError.invalidResponse(
                        request: "GET /\(endpoint.rawValue)",
                        reason: "\(read) resources read where the provider said it holds \(firstTotal): its pages do not end")
                }
                if !page.resources.isEmpty { try await body(page.resources) }
            }
            return read
        case .cursor:
            var cursor = ""
            var seen: Set<String> = []
            var read = 0
            while true {
                let page = try await search(endpoint, filter: filter, cursor: cursor, count: max(1, pageSize))
                if let pageTotal = page.totalResults { total(pageTotal) }
                read += page.resources.count
                if !page.resources.isEmpty { try await body(page.resources) }
                // The last page has no nextCursor (RFC 9865 §2). A provider that hands out a
                // cursor twice, or pages without resources, would otherwise loop for ever.
                guard let next = page.nextCursor, !page.resources.isEmpty else { return read }
                guard seen.insert(next).inserted else {
                    throw SCIMClientError.invalidResponse(
                        request: "GET /\(endpoint.rawValue)", reason: "the provider returned the same nextCursor twice")
                }
                cursor = next
            }
        }
    }
}
