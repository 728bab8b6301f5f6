import Directory
import Reconcile

/// The source side of a reconciliation pass, in the order the ids agreed on: a SQL source's
/// consistent snapshot in key order (``SnapshotSourceReader``), or a SCIM provider read page by
/// page and sorted (``SCIMSourceReader``).
protocol ReconcileSourceReader: AnyObject {
    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry>
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)>
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership>
    /// What error messages call the kind's store.
    func name(_ kind: ResourceKind) -> String
    var membershipsName: String { get }
}
