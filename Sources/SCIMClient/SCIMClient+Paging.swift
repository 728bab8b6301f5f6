import SCIM

extension SCIMClient {
    /// Reads every resource of `endpoint` that matches `filter`, a page at a time
    /// (`startIndex`/`count` until `totalResults`), handing each page to `body` before the
    /// next is asked for: memory holds one page whatever the directory's size.
    ///
    /// - Returns: the resources read.
    @discardableResult
    public func forEachPage(
        _ endpoint: SCIMEndpoint, filter: String? = nil, pageSize: Int,
        _ body: ([SCIMResource]) async throws -> Void
    ) async throws -> Int {
        var cursor = PageCursor(pageSize: pageSize)
        var read = 0
        while !cursor.isDone {
            let page = try await search(endpoint, filter: filter, startIndex: cursor.startIndex, count: cursor.pageSize)
            cursor.pageReceived(resources: page.resources.count, totalResults: page.totalResults)
            read += page.resources.count
            if !page.resources.isEmpty { try await body(page.resources) }
        }
        return read
    }
}
