import Directory
import Foundation
import GRDB
import Reconcile
import SCIM

/// What a full pull read from a provider, kept in a temporary SQLite file rather than in
/// memory, and read back a chunk at a time in the order a merge-join asks for.
///
/// A provider cannot be asked for its resources in byte or numeric id order, so a pass must
/// sort what it read; sorting in a file keeps memory at a chunk whatever the provider's size.
/// The orders are `IDOrder`'s own comparisons, registered as SQLite collations, so the file
/// sorts exactly as the target side does. The file lives in the temporary directory, holds
/// only what was read (never written through SQLite's journal: it is thrown away on a crash)
/// and is deleted with the spool.
final class SCIMSpool: Sendable {
    private let queue: DatabaseQueue
    private let path: String

    init() throws {
        path = NSTemporaryDirectory() + "scimsync-pull-\(UUID().uuidString).sqlite"
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            for order in [IDOrder.numeric, .binary] {
                db.add(collation: DatabaseCollation(Self.collation(order)) { a, b in
                    switch order.compare(a, b) {
                    case ..<0: .orderedAscending
                    case 0: .orderedSame
                    default: .orderedDescending
                    }
                })
            }
            // Scratch data: a crash loses nothing that the next pull does not read again.
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE entries (kind TEXT NOT NULL, id TEXT NOT NULL, resource BLOB NOT NULL, PRIMARY KEY (kind, id));
                    CREATE TABLE memberships (user_id TEXT NOT NULL, group_id TEXT NOT NULL, PRIMARY KEY (user_id, group_id));
                    """)
        }
    }

    deinit {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    private static func collation(_ order: IDOrder) -> String {
        switch order {
        case .numeric: "scimsync_numeric"
        case .binary: "scimsync_binary"
        }
    }

    /// Keeps a page of `kind`: each resource with an id, without `meta` and `members` (what a
    /// pass compares), and a group's members as memberships. A resource read twice (a
    /// provider's pages shifting while they are read) is kept once, as last read.
    func add(_ page: [SCIMResource], kind: ResourceKind) throws {
        try queue.write { db in
            let entry = try db.cachedStatement(sql: "INSERT OR REPLACE INTO entries (kind, id, resource) VALUES (?, ?, ?)")
            let member = try db.cachedStatement(sql: "INSERT OR IGNORE INTO memberships (user_id, group_id) VALUES (?, ?)")
            for resource in page {
                guard let id = resource.id, !id.isEmpty else { continue }
                var attributes = resource.attributes
                _ = attributes.removeValue(forKey: "meta")
                _ = attributes.removeValue(forKey: "members")
                try entry.execute(arguments: [kind.rawValue, id, Data(SCIMValue.object(attributes).jsonBytes())])
                if kind == .group {
                    for userID in resource.memberIDs {
                        try member.execute(arguments: [userID, id])
                    }
                }
            }
        }
    }

    /// Users or groups in `order`, `chunkSize` at a time.
    func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let collation = Self.collation(order)
        try index("entries_\(collation)", on: "entries (kind, id COLLATE \(collation))")
        return keysetChunks(
            select: "SELECT id, resource FROM entries", filter: ("kind = ?", [kind.rawValue]),
            after: { last in ("id > ? COLLATE \(collation)", [last.id]) },
            orderBy: "id COLLATE \(collation)", chunkSize: chunkSize
        ) { row in
            let id: String = row["id"]
            let bytes: Data = row["resource"]
            guard case .object(let attributes) = try SCIMValue(json: bytes) else {
                throw SCIMSpoolError(reason: "the stored resource \(id) is not a JSON object")
            }
            return DirectoryEntry(id: id, resource: SCIMResource(attributes))
        }
    }

    /// Each group with no parent (SCIM groups have none), in `order`.
    func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        var groups = try entries(.group, chunkSize: chunkSize, order: order)
        return ClosureChunks {
            try groups.next().map { chunk in chunk.map { (id: $0.id, parent: String?.none) } }
        }
    }

    /// Memberships by user, then group, in `order`.
    func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
        let collation = Self.collation(order)
        try index("memberships_\(collation)", on: "memberships (user_id COLLATE \(collation), group_id COLLATE \(collation))")
        return keysetChunks(
            select: "SELECT user_id, group_id FROM memberships", filter: nil,
            after: { last in
                (
                    "user_id > ? COLLATE \(collation) OR (user_id = ? COLLATE \(collation) AND group_id > ? COLLATE \(collation))",
                    [last.userID, last.userID, last.groupID]
                )
            },
            orderBy: "user_id COLLATE \(collation), group_id COLLATE \(collation)", chunkSize: chunkSize
        ) { row in
            Membership(groupID: row["group_id"], userID: row["user_id"])
        }
    }

    /// The rows of `select` (narrowed by `filter`) in `orderBy`, `chunkSize` at a time, each
    /// chunk read from just after the last element of the one before (`after` says where, in
    /// the same order): no OFFSET, so every chunk costs what its rows cost.
    private func keysetChunks<Element>(
        select: String, filter: (sql: String, arguments: StatementArguments)?,
        after: @escaping (Element) -> (sql: String, arguments: StatementArguments), orderBy: String, chunkSize: Int,
        element: @escaping (GRDB.Row) throws -> Element
    ) -> ClosureChunks<Element> {
        var last: Element?
        return ClosureChunks { [queue] in
            let rows = try queue.read { db in
                var conditions: [String] = []
                var arguments = StatementArguments()
                if let filter {
                    conditions.append(filter.sql)
                    arguments += filter.arguments
                }
                if let last {
                    let position = after(last)
                    conditions.append("(\(position.sql))")
                    arguments += position.arguments
                }
                var sql = select
                if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
                sql += " ORDER BY \(orderBy) LIMIT ?"
                arguments += [max(chunkSize, 1)]
                return try Row.fetchAll(db, sql: sql, arguments: arguments)
            }
            guard !rows.isEmpty else { return nil }
            let elements = try rows.map(element)
            last = elements.last
            return elements
        }
    }

    /// An index for one order, made when that order is first read (after every page is in).
    private func index(_ name: String, on definition: String) throws {
        try queue.write { db in
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(name) ON \(definition)")
        }
    }
}

/// The spool's file holds something it did not write.
struct SCIMSpoolError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
