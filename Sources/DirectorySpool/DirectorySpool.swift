import Directory
import Foundation
import GRDB
import Reconcile
import SCIM

/// What a full read of a directory found (a SCIM provider's pages, a chat platform's
/// department tree and users), kept in a temporary SQLite file rather than in memory, and read
/// back a chunk at a time in the order a merge-join asks for.
///
/// A provider or a platform cannot be asked for its objects in byte or numeric id order, so a
/// pass must sort what it read; sorting in a file keeps memory at a chunk whatever the
/// directory's size. The orders are `IDOrder`'s own comparisons, registered as SQLite
/// collations, so the file sorts exactly as the target side does. The file lives in the
/// temporary directory, holds only what was read (never written through SQLite's journal: it
/// is thrown away on a crash) and is deleted with the spool.
public final class DirectorySpool: Sendable {
    /// Which of two reads of one id is kept.
    public enum Repeats: Sendable {
        /// The last read (a provider's pages shifting while they are read: the newer page).
        case lastWins
        /// The first read (a platform lists a user once per department it is in).
        case firstWins
    }

    private let queue: DatabaseQueue
    private let path: String
    private let repeats: Repeats

    /// - Parameter name: a word in the file's name, for whoever finds it (`pull`, `feishu`).
    public init(name: String = "pull", repeats: Repeats = .lastWins) throws {
        path = NSTemporaryDirectory() + "scimsync-\(name)-\(UUID().uuidString).sqlite"
        self.repeats = repeats
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
            // Scratch data: a crash loses nothing that the next read does not read again.
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE entries (
                        kind TEXT NOT NULL, id TEXT NOT NULL, parent TEXT, resource BLOB NOT NULL, PRIMARY KEY (kind, id));
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

    /// Keeps `entries` of `kind` (a group's parent with it) and `memberships`, in one write. A
    /// membership read twice is kept once.
    public func add(_ entries: [DirectoryEntry], kind: ResourceKind, memberships: [Membership] = []) throws {
        let verb = repeats == .lastWins ? "INSERT OR REPLACE" : "INSERT OR IGNORE"
        try queue.write { db in
            let entry = try db.cachedStatement(sql: "\(verb) INTO entries (kind, id, parent, resource) VALUES (?, ?, ?, ?)")
            let member = try db.cachedStatement(sql: "INSERT OR IGNORE INTO memberships (user_id, group_id) VALUES (?, ?)")
            for item in entries {
                try entry.execute(
                    arguments: [kind.rawValue, item.id, item.parentID, Data(SCIMValue.object(item.resource.attributes).jsonBytes())])
            }
            for membership in memberships {
                try member.execute(arguments: [membership.userID, membership.groupID])
            }
        }
    }

    /// Which of `ids` are kept as `kind`.
    public func existing(_ kind: ResourceKind, _ ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try queue.read { db in
            let markers = Array(repeating: "?", count: ids.count).joined(separator: ", ")
            return Set(
                try String.fetchAll(
                    db, sql: "SELECT id FROM entries WHERE kind = ? AND id IN (\(markers))",
                    arguments: StatementArguments([kind.rawValue] + ids)))
        }
    }

    /// How many users or groups are kept.
    public func count(_ kind: ResourceKind) throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM entries WHERE kind = ?", arguments: [kind.rawValue]) ?? 0
        }
    }

    /// How many memberships are kept.
    public func membershipCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM memberships") ?? 0 }
    }

    /// Users or groups in `order`, `chunkSize` at a time.
    public func entries(_ kind: ResourceKind, chunkSize: Int, order: IDOrder) throws -> ClosureChunks<DirectoryEntry> {
        let collation = Self.collation(order)
        try index("entries_\(collation)", on: "entries (kind, id COLLATE \(collation))")
        return keysetChunks(
            select: "SELECT id, parent, resource FROM entries", filter: ("kind = ?", [kind.rawValue]),
            after: { last in ("id > ? COLLATE \(collation)", [last.id]) },
            orderBy: "id COLLATE \(collation)", chunkSize: chunkSize, element: Self.entry)
    }

    /// Users or groups in the order they were kept, `chunkSize` at a time (a first load's
    /// phases, which need no order).
    public func entriesAsRead(_ kind: ResourceKind, chunkSize: Int) -> ClosureChunks<DirectoryEntry> {
        keysetChunks(
            select: "SELECT rowid, id, parent, resource FROM entries", filter: ("kind = ?", [kind.rawValue]),
            after: { last in ("rowid > ?", [last.rowID]) }, orderBy: "rowid", chunkSize: chunkSize
        ) { row in (rowID: row["rowid"] as Int64, entry: try Self.entry(row)) }
        .map { $0.entry }
    }

    /// Each group's parent, in `order`.
    public func parents(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<(id: String, parent: String?)> {
        try entries(.group, chunkSize: chunkSize, order: order).map { (id: $0.id, parent: $0.parentID) }
    }

    /// Memberships by user, then group, in `order`.
    public func memberships(chunkSize: Int, order: IDOrder) throws -> ClosureChunks<Membership> {
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

    private static func entry(_ row: GRDB.Row) throws -> DirectoryEntry {
        let id: String = row["id"]
        let bytes: Data = row["resource"]
        guard case .object(let attributes) = try SCIMValue(json: bytes) else {
            throw DirectorySpoolError(reason: "the stored resource \(id) is not a JSON object")
        }
        return DirectoryEntry(id: id, resource: SCIMResource(attributes), parentID: row["parent"])
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

extension ClosureChunks {
    /// The same chunks with each element transformed.
    public func map<Other>(_ transform: @escaping (Element) throws -> Other) -> ClosureChunks<Other> {
        var chunks = self
        return ClosureChunks<Other> { try chunks.next().map { try $0.map(transform) } }
    }
}

/// The spool's file holds something it did not write.
struct DirectorySpoolError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
