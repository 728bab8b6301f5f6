import Directory
import MySQLSource
import Reconcile
import SQLClients
import Targets

/// Rows in key order, a chunk at a time, turned into the elements a merge-join compares.
struct MappedChunks<Element>: OrderedChunks {
    private let nextRows: () throws -> [Row]?
    private let map: (Row) throws -> Element?

    init(nextRows: @escaping () throws -> [Row]?, map: @escaping (Row) throws -> Element?) {
        self.nextRows = nextRows
        self.map = map
    }

    mutating func next() throws -> [Element]? {
        guard let rows = try nextRows() else { return nil }
        return try rows.compactMap(map)
    }
}

/// The source side: one table of the consistent snapshot in key order.
final class SnapshotRows {
    private var chunks: KeysetChunks

    init(_ snapshot: ConsistentSnapshot, table: String, key: [String], columns: [String]? = nil, chunkSize: Int) {
        chunks = snapshot.chunks(ofTable: table, primaryKey: key, columns: columns, chunkSize: chunkSize)
    }

    func next() throws -> [Row]? { try chunks.next() }
}

/// The target side: one scan of the target in key order (keyset pagination on the layout's
/// key columns, which the rows carry under the layout's names).
final class TargetRows {
    private let target: SQLTarget
    private let scan: TargetScan
    private let keys: [String]
    private let chunkSize: Int
    private let numeric: Bool
    private var lastKey: [SQLValue]?
    private var done = false

    /// - Parameter numeric: order text ids as integers (see ``SQLTarget/readChunk``).
    init(_ target: SQLTarget, scan: TargetScan, chunkSize: Int, numeric: Bool) {
        self.target = target
        self.scan = scan
        self.chunkSize = chunkSize
        self.numeric = numeric
        let layout = target.layout
        switch scan {
        case .users: keys = [layout.userMapper.idColumn]
        case .groups: keys = [layout.groupMapper?.idColumn ?? "id"]
        case .memberships:
            keys = layout.membership.map { [$0.user, $0.group] } ?? [layout.userMapper.idColumn]
        }
    }

    func next() throws -> [Row]? {
        guard !done else { return nil }
        let rows = try target.readChunk(scan, after: lastKey, limit: chunkSize, numeric: numeric)
        if rows.count < chunkSize { done = true }
        guard let last = rows.last else {
            done = true
            return nil
        }
        lastKey = keys.map { key in
            let value = last[key] ?? .null
            // The keyset condition compares the cast column with this value: bind a number.
            if numeric, case .text(let text) = value, let number = Int64(text) { return .int(number) }
            return value
        }
        return rows
    }
}

extension DirectoryLayout {
    /// A users or groups row as reconciliation compares it.
    func entry(_ kind: ResourceKind, row: Row) throws -> DirectoryEntry {
        switch kind {
        case .user:
            return DirectoryEntry(id: try userMapper.id(in: row), resource: try userMapper.resource(from: row))
        case .group:
            guard let mapper = groupMapper else { throw RowMappingError.missingID(table: "groups", column: "id") }
            return DirectoryEntry(
                id: try mapper.id(in: row), resource: try mapper.resource(from: row),
                parentID: try parentID(inGroupsRow: row))
        }
    }

    /// The membership a relation row, or a users row's group column, holds.
    func membership(in row: Row) throws -> Membership? {
        membership != nil ? try membership(inRelationRow: row) : try membership(inUsersRow: row)
    }
}
