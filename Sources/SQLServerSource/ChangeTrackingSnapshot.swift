import Connectors
import Directory
import Reconcile
import SQLServerClient

/// A `SNAPSHOT` isolation transaction whose first read is `CHANGE_TRACKING_CURRENT_VERSION()`:
/// every table read in it shows the source exactly as of that version, and streaming
/// resumes after it — Microsoft's initial synchronization ("Work with Change Tracking":
/// "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN; ... obtain the current version,
/// and then the initial data set ... COMMIT TRAN"). A snapshot transaction sees the data as
/// of its first read, so the version and the rows are one point.
///
/// The connection must not be used for anything else until ``finish()``. Blocking; not
/// thread-safe.
final class ChangeTrackingSnapshot: SourceSnapshot {
    private let connection: SQLServerConnection
    private let layout: DirectoryLayout
    private let tables: [TrackedTable]
    private var open = true
    let version: Int64
    let idTypes: SourceIDTypes

    /// Starts the transaction and reads its version.
    /// - Throws: `SQLServerError` (3952 when snapshot isolation is not allowed in the
    ///   database), or ``SnapshotError/changeTrackingOff`` when the database does not track.
    init(connection: SQLServerConnection, layout: DirectoryLayout, schema: String) throws {
        self.connection = connection
        self.layout = layout
        tables = TrackedTable.all(in: layout, schema: schema)
        idTypes = try SourceIDTypes(connection: connection, tables: tables, layout: layout)
        try connection.execute("SET TRANSACTION ISOLATION LEVEL SNAPSHOT")
        try connection.begin()
        if let first = tables.first { try ChangeTrackingPoll.startSnapshot(connection, table: first) }
        let rows = try connection.query("SELECT CHANGE_TRACKING_CURRENT_VERSION() AS [version]")
        guard case .int(let version)? = rows.first?.values.first else {
            try? connection.rollback()
            throw SnapshotError.changeTrackingOff
        }
        self.version = version
    }

    deinit {
        if open, !connection.isBroken { try? connection.rollback() }
    }

    var position: SourcePosition { .changeTracking(version: version) }

    var reader: any ReconcileSourceReader { ChangeTrackingSnapshotReader(self, layout: layout) }

    func finish() throws {
        guard open else { return }
        open = false
        try connection.commit()
    }

    /// A cursor over the layout table `name` in key order, `chunkSize` rows at a time.
    func chunks(ofTable name: String, key: [String], columns: [String]? = nil, chunkSize: Int) -> () throws -> [Row]? {
        let table = tables.first { $0.name == name }
        let query = KeysetQuery(
            table: table?.qualified ?? TSQLName.quote(name), keyColumns: key,
            columns: columns ?? (table.map { $0.keyColumns + $0.valueColumns } ?? key), chunkSize: chunkSize)
        let connection = self.connection
        var lastKey: [SQLValue]?
        var done = false
        return {
            guard !done else { return nil }
            let rows = try lastKey.map { try connection.query(query.after, $0) } ?? connection.query(query.first)
            // A short chunk is the last one: no need to ask for an empty one.
            if rows.count < query.chunkSize { done = true }
            guard let last = rows.last else { return nil }
            lastKey = key.map { last[$0] ?? .null }
            return rows
        }
    }

    /// Groups without parents, then every group's parent, then users, then the relation
    /// table: the same phases as every SQL source's first load (groups exist before any is
    /// linked under another; a restarted load's groups moved to the top lose their parent).
    func loadPhases(chunkSize: Int) throws -> [LoadPhase]? {
        let layout = self.layout
        let mapper = ChangeMapper(layout: layout, onDelete: .delete)
        func phase(_ name: String, creates: Bool, table: String, key: [String], columns: [String]? = nil,
                   ops: @escaping (Row) throws -> [ResourceOp]) -> LoadPhase {
            LoadPhase(name: name, creates: creates) {
                let next = self.chunks(ofTable: table, key: key, columns: columns, chunkSize: chunkSize)
                return {
                    guard let rows = try next() else { return nil }
                    var batch: [ResourceOp] = []
                    batch.reserveCapacity(rows.count)
                    for row in rows { batch += try ops(row) }
                    return batch
                }
            }
        }
        func inserted(_ table: String, _ row: Row) throws -> [ResourceOp] {
            try mapper.ops(for: RowChange(table: table, kind: .insert, before: nil, after: row))
        }
        var phases: [LoadPhase] = []
        if let groups = layout.groups, let groupMapper = layout.groupMapper {
            let key = [groupMapper.idColumn]
            phases.append(phase("groups", creates: true, table: groups.table, key: key) { row in
                try inserted(groups.table, row).filter { if case .moveParent = $0 { false } else { true } }
            })
            if groups.parent != nil {
                phases.append(phase("parents", creates: false, table: groups.table, key: key) { row in
                    [.moveParent(groupID: try groupMapper.id(in: row), parentID: try layout.parentID(inGroupsRow: row))]
                })
            }
        }
        phases.append(phase("users", creates: true, table: layout.users.table, key: [layout.userMapper.idColumn]) {
            try inserted(layout.users.table, $0)
        })
        if let membership = layout.membership {
            phases.append(phase("memberships", creates: false, table: membership.table, key: [membership.user, membership.group]) {
                try inserted(membership.table, $0)
            })
        }
        return phases
    }
}

/// Why a snapshot could not start.
public enum SnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    case changeTrackingOff

    public var description: String {
        switch self {
        case .changeTrackingOff:
            "CHANGE_TRACKING_CURRENT_VERSION() is NULL: change tracking is off for the database "
                + "(ALTER DATABASE [<database>] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON))"
        }
    }
}

/// The snapshot as a reconciliation pass reads it: each table in key order.
final class ChangeTrackingSnapshotReader: ReconcileSourceReader {
    private let snapshot: ChangeTrackingSnapshot
    private let layout: DirectoryLayout

    init(_ snapshot: ChangeTrackingSnapshot, layout: DirectoryLayout) {
        self.snapshot = snapshot
        self.layout = layout
    }

    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let layout = self.layout
        guard let mapper = kind == .user ? layout.userMapper : layout.groupMapper,
            let table = kind == .user ? layout.users.table : layout.groups?.table
        else { return ClosureChunks { nil } }
        let rows = snapshot.chunks(ofTable: table, key: [mapper.idColumn], chunkSize: chunkSize)
        var mapped = MappedChunks(nextRows: rows) { try layout.sourceEntry(kind, row: $0, mapper: mapper) }
        return ClosureChunks { try mapped.next() }
    }

    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        let layout = self.layout
        guard let groups = layout.groups, let mapper = layout.groupMapper else { return ClosureChunks { nil } }
        let rows = snapshot.chunks(
            ofTable: groups.table, key: [mapper.idColumn], columns: [mapper.idColumn] + (groups.parent.map { [$0] } ?? []),
            chunkSize: chunkSize)
        var mapped = MappedChunks(nextRows: rows) { row -> (id: String, parent: String?)? in
            (try mapper.id(in: row), try layout.parentID(inGroupsRow: row))
        }
        return ClosureChunks { try mapped.next() }
    }

    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        let layout = self.layout
        let rows: () throws -> [Row]?
        if let relation = layout.membership {
            rows = snapshot.chunks(
                ofTable: relation.table, key: [relation.user, relation.group], columns: [relation.user, relation.group],
                chunkSize: chunkSize)
        } else {
            let idColumn = layout.userMapper.idColumn
            rows = snapshot.chunks(
                ofTable: layout.users.table, key: [idColumn], columns: [idColumn] + (layout.users.group.map { [$0] } ?? []),
                chunkSize: chunkSize)
        }
        var mapped = MappedChunks(nextRows: rows) { try layout.membership(in: $0) }
        return ClosureChunks { try mapped.next() }
    }

    func name(_ kind: ResourceKind) -> String {
        "source table \(kind == .user ? layout.users.table : layout.groups?.table ?? "groups")"
    }

    var membershipsName: String { "source table \(layout.membership?.table ?? layout.users.table)" }
}

extension SourceIDTypes {
    /// The id columns' types from `INFORMATION_SCHEMA.COLUMNS`.
    init(connection: SQLServerConnection, tables: [TrackedTable], layout: DirectoryLayout) throws {
        func type(_ name: String, _ column: String) throws -> ColumnType {
            guard let table = tables.first(where: { $0.name == name }) else {
                throw ReconcileSetupError(description: "the layout has no table \(name)")
            }
            let rows = try connection.query(
                "SELECT DATA_TYPE AS [type] FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = @p1 AND TABLE_NAME = @p2 AND COLUMN_NAME = @p3",
                [.text(table.schema), .text(table.table), .text(column)])
            guard case .text(let sqlType)? = rows.first?.values.first else {
                throw ReconcileSetupError(description: "the source table \(table.qualified) has no column \(column)")
            }
            return ColumnType(sqlType: sqlType)
        }
        let users = try type(layout.users.table, layout.userMapper.idColumn)
        self.init(
            users: users, groups: try layout.groups.map { try type($0.table, layout.groupMapper?.idColumn ?? "id") },
            membershipUsers: try layout.membership.map { try type($0.table, $0.user) } ?? users)
    }
}
