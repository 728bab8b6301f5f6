/// Where a paged read (RFC 7644 §3.4.2.4: `startIndex`, `count`, `totalResults`) stands, as a
/// value: the next page to ask for, and when to stop. Pure, so the paging rules are tested
/// without a provider.
///
/// A read ends when the pages so far reach `totalResults`, or when a page comes back empty
/// (a provider whose total shrank while it was read, or that stops early). A provider may
/// return fewer than `count` resources per page (its own `maxResults`): the next page starts
/// after what it returned, not after what was asked for.
public struct PageCursor: Sendable, Hashable {
    /// Resources asked for per page.
    public let pageSize: Int
    /// The 1-based index of the next page's first resource.
    public private(set) var startIndex = 1
    /// Whether the read is complete.
    public private(set) var isDone = false
    /// The provider's `totalResults` on the last page.
    public private(set) var totalResults: Int?

    public init(pageSize: Int) {
        self.pageSize = max(1, pageSize)
    }

    /// A page arrived with `resources` resources of `totalResults`.
    public mutating func pageReceived(resources: Int, totalResults: Int) {
        self.totalResults = totalResults
        startIndex += resources
        if resources == 0 || startIndex > totalResults { isDone = true }
    }
}
