import Directory
import Reconcile

/// A MySQL/MariaDB source as of one consistent snapshot: its tables in key order.
public final class SnapshotSourceReader: ReconcileSourceReader {
    let snapshot: ConsistentSnapshot
    let layout: DirectoryLayout

    public init(_ snapshot: ConsistentSnapshot, layout: DirectoryLayout) {
        self.snapshot = snapshot
        self.layout = layout
    }

    public func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let layout = self.layout
        // Made once: a mapper resolves its attribute map when it is made.
        guard let mapper = kind == .user ? layout.userMapper : layout.groupMapper,
            let table = kind == .user ? layout.users.table : layout.groups?.table
        else { return ClosureChunks { nil } }
        let rows = SnapshotRows(snapshot, table: table, key: [mapper.idColumn], chunkSize: chunkSize)
        var mapped = MappedChunks(nextRows: rows.next) { try layout.sourceEntry(kind, row: $0, mapper: mapper) }
        return ClosureChunks { try mapped.next() }
    }

    public func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        let layout = self.layout
        guard let groups = layout.groups, let mapper = layout.groupMapper else { return ClosureChunks { nil } }
        let rows = SnapshotRows(
            snapshot, table: groups.table, key: [mapper.idColumn],
            columns: [mapper.idColumn] + (groups.parent.map { [$0] } ?? []), chunkSize: chunkSize)
        var mapped = MappedChunks(nextRows: rows.next) { row -> (id: String, parent: String?)? in
            (try mapper.id(in: row), try layout.parentID(inGroupsRow: row))
        }
        return ClosureChunks { try mapped.next() }
    }

    public func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        let layout = self.layout
        let rows: SnapshotRows
        if let relation = layout.membership {
            rows = SnapshotRows(
                snapshot, table: relation.table, key: [relation.user, relation.group],
                columns: [relation.user, relation.group], chunkSize: chunkSize)
        } else {
            let idColumn = layout.userMapper.idColumn
            rows = SnapshotRows(
                snapshot, table: layout.users.table, key: [idColumn], columns: [idColumn] + (layout.users.group.map { [$0] } ?? []),
                chunkSize: chunkSize)
        }
        var mapped = MappedChunks(nextRows: rows.next) { try layout.membership(in: $0) }
        return ClosureChunks { try mapped.next() }
    }

    public func name(_ kind: ResourceKind) -> String {
        "source table \(kind == .user ? layout.users.table : layout.groups?.table ?? "groups")"
    }

    public var membershipsName: String { "source table \(layout.membership?.table ?? layout.users.table)" }

    /// The snapshot's connection serves one scan at a time, from whichever thread (the first
    /// load reads it on a thread of its own too).
    public var readsAhead: Bool { true }
}

/// The source side: one table of the consistent snapshot in key order.
final class SnapshotRows {
    private var chunks: KeysetChunks

    init(_ snapshot: ConsistentSnapshot, table: String, key: [String], columns: [String]? = nil, chunkSize: Int) {
        chunks = snapshot.chunks(ofTable: table, primaryKey: key, columns: columns, chunkSize: chunkSize)
    }

    func next() throws -> [Row]? { try chunks.next() }
}
