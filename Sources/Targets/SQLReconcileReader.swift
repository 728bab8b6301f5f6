import Directory
import Reconcile

/// A SQL target read for reconciliation: keyset chunks through ``TargetRows``, rows mapped
/// through the target's layout.
final class SQLReconcileReader: ReconcileTargetReader {
    let target: SQLTarget
    private var layout: DirectoryLayout { target.layout }

    init(_ target: SQLTarget) {
        self.target = target
    }

    func idOrders(source: SourceIDTypes, pipeline: String) throws -> IDOrders {
        try IDOrders(
            source: source, targetUsers: target.idType(of: .users),
            targetGroups: layout.groups != nil ? target.idType(of: .groups) : nil,
            targetMembershipUsers: target.idType(of: .memberships), pipeline: pipeline)
    }

    func isEmpty() throws -> Bool {
        if try !target.readChunk(.users, after: nil, limit: 1).isEmpty { return false }
        if layout.groups != nil, try !target.readChunk(.groups, after: nil, limit: 1).isEmpty { return false }
        return true
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let rows = try TargetRows(target, scan: kind == .user ? .users : .groups, chunkSize: chunkSize, numeric: order == .numeric)
        let layout = self.layout
        // Made once: a mapper resolves its attribute map when it is made.
        guard let mapper = kind == .user ? layout.userMapper : layout.groupMapper else { return ClosureChunks { nil } }
        var mapped = MappedChunks(nextRows: rows.next) { try layout.entry(kind, row: $0, mapper: mapper) }
        return ClosureChunks { try mapped.next() }
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        let rows = try TargetRows(target, scan: .groups, chunkSize: chunkSize, numeric: order == .numeric)
        let layout = self.layout
        guard let mapper = layout.groupMapper else { return ClosureChunks { nil } }
        var mapped = MappedChunks(nextRows: rows.next) { row -> (id: String, parent: String?)? in
            (try mapper.id(in: row), try layout.parentID(inGroupsRow: row))
        }
        return ClosureChunks { try mapped.next() }
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        let rows = try TargetRows(target, scan: .memberships, chunkSize: chunkSize, numeric: order == .numeric)
        let layout = self.layout
        var mapped = MappedChunks(nextRows: rows.next) { try layout.membership(in: $0) }
        return ClosureChunks { try mapped.next() }
    }

    func existingUserIDs(_ ids: [String]) throws -> Set<String> {
        try target.existingIDs(ids, of: .users)
    }

    func existingGroupIDs(_ ids: [String]) throws -> Set<String>? {
        try target.existingIDs(ids, of: .groups)
    }

    func name(_ kind: ResourceKind) -> String {
        "target table \(kind == .user ? layout.users.table : layout.groups?.table ?? "groups")"
    }

    var membershipsName: String { "target table \(layout.membership?.table ?? layout.users.table)" }

    /// The reader's connection serves one scan at a time, from whichever thread; the pass
    /// calls `existingUserIDs` only between two reads.
    var readsAhead: Bool { true }
}
