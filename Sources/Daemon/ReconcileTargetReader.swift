import Directory
import Reconcile
import Targets

/// The target side of a reconciliation pass: the target's users, groups, parents and
/// memberships as streams in the merge-join's id order. A SQL target is read in keyset chunks
/// (``SQLReconcileReader``), a SCIM service provider page by page (``SCIMReconcileReader``).
protocol ReconcileTargetReader: AnyObject {
    /// The order each merge-join reads in, agreed with the source's id types.
    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders
    /// Whether the target has no users and no groups (a first load).
    func isEmpty() throws -> Bool
    /// Users or groups, in `order`.
    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry>
    /// Each group's parent, in `order`.
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)>
    /// Memberships by user, then group, in `order`.
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership>
    /// Which of `ids` the target has as users.
    func existingUserIDs(_ ids: [String]) throws -> Set<String>
    /// What error messages call the kind's store (`target table portal_users`).
    func name(_ kind: ResourceKind) -> String
    /// What they call the memberships' store.
    var membershipsName: String { get }
}

/// Chunks from a closure: the merge-join's view of either kind of target.
struct ClosureChunks<Element>: OrderedChunks {
    let nextChunk: () throws -> [Element]?

    mutating func next() throws -> [Element]? { try nextChunk() }
}

/// Serves a sorted array a chunk at a time.
func chunks<Element>(_ elements: [Element], _ size: Int) -> ClosureChunks<Element> {
    var start = 0
    return ClosureChunks {
        guard start < elements.count else { return nil }
        defer { start += size }
        return Array(elements[start..<min(start + size, elements.count)])
    }
}
