import Foundation
import GRDB
import SCIM

/// A user row as stored: the resource as JSON text, so that the row is plain Codable.
struct StoredUser: Codable, Hashable {
    var key: String
    var userName: String
    var id: String?
    var owned: Bool
    var inFeed: Bool
    var digest: String?
    var resource: String?
    var groups: [String]
    var raw: String?
    var lastChangedRun: Int64?
    var error: Bool

    init(_ user: KnownUser) {
        key = user.key
        userName = user.userName
        id = user.id
        owned = user.owned
        inFeed = user.inFeed
        digest = user.digest
        resource = user.resource?.attributes.jsonString()
        groups = user.groups
        raw = user.rawJSON
        lastChangedRun = user.lastChangedRun
        error = user.error
    }

    var known: KnownUser {
        KnownUser(
            key: key, userName: userName, id: id, owned: owned, inFeed: inFeed, digest: digest,
            resource: resource.flatMap(FeedStore.resource(json:)), groups: groups, rawJSON: raw,
            lastChangedRun: lastChangedRun,
            error: error)
    }
}

extension FeedStore {
    /// What the feed knows of a userName (compared ignoring case).
    public func user(named userName: String) throws(FeedStoreError) -> KnownUser? {
        try read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT * FROM users WHERE key = ?", arguments: [FeedUser.key(userName)])
                .map(Self.knownUser(from:))
        }
    }

    /// Every user the feed knows, in key order.
    public func users() throws(FeedStoreError) -> [KnownUser] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY key").map(Self.knownUser(from:))
        }
    }

    /// Flags a user whose operations the target refused: the next run compares it in full,
    /// whatever its digest says.
    public func markError(userName: String) throws(FeedStoreError) {
        try write { db in
            try db.execute(sql: "UPDATE users SET error = 1 WHERE key = ?", arguments: [FeedUser.key(userName)])
        }
    }

    static func knownUser(from row: GRDB.Row) throws -> KnownUser {
        let groupsText: String = row["groups"]
        let resourceText: String? = row["resource"]
        return KnownUser(
            key: row["key"], userName: row["user_name"], id: row["id"], owned: row["owned"], inFeed: row["in_feed"],
            digest: row["digest"], resource: resourceText.flatMap(resource(json:)),
            groups: try JSONDecoder().decode([String].self, from: Data(groupsText.utf8)), rawJSON: row["raw"],
            lastChangedRun: row["last_changed_run"], error: row["error"])
    }

    static func resource(json: String) -> SCIMResource? {
        (try? SCIMValue(json: json))?.objectValue.map(SCIMResource.init)
    }

    static func upsert(_ db: Database, _ user: KnownUser) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO users (key, user_name, id, owned, in_feed, digest, resource, groups, raw, last_changed_run, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                user.key, user.userName, user.id, user.owned, user.inFeed, user.digest,
                user.resource?.attributes.jsonString(),
                try json(user.groups), user.rawJSON, user.lastChangedRun, user.error,
            ])
    }
}

/// Reads a table in key order a page at a time inside one transaction, for the diff's
/// merge-join; a database error ends the sequence and is kept in `failure`.
final class KeyPages<Element>: IteratorProtocol {
    private let fetch: (_ after: String?) throws -> [(key: String, element: Element)]
    private var buffer: [(key: String, element: Element)] = []
    private var index = 0
    private var after: String?
    private var done = false
    private(set) var failure: (any Error)?

    init(fetch: @escaping (_ after: String?) throws -> [(key: String, element: Element)]) {
        self.fetch = fetch
    }

    func next() -> Element? {
        if index == buffer.count {
            guard !done else { return nil }
            do {
                buffer = try fetch(after)
            } catch {
                failure = error
                buffer = []
            }
            index = 0
            if buffer.isEmpty {
                done = true
                return nil
            }
            after = buffer.last?.key
        }
        defer { index += 1 }
        return buffer[index].element
    }
}
