import Foundation
import GRDB
import SCIM

/// A user's state as a plan row keeps it until its chunk is applied: a JSON object whose
/// members are the `users` columns, so that recording a chunk as applied is one
/// `INSERT … SELECT json_extract(…)` in SQLite (``FeedStore/chunkApplied(_:)``).
enum StoredUser {
    /// The JSON text of `user`'s state.
    static func json(_ user: KnownUser) -> String {
        var object = SCIMObject()
        object["key"] = .string(user.key)
        object["userName"] = .string(user.userName)
        if let id = user.id { object["id"] = .string(id) }
        object["owned"] = .bool(user.owned)
        object["inFeed"] = .bool(user.inFeed)
        if let digest = user.digest { object["digest"] = .string(digest) }
        if let resource = user.storedResource.json { object["resource"] = .string(resource) }
        object["groups"] = .array(user.groups.map(SCIMValue.string))
        if let raw = user.rawJSON { object["raw"] = .string(raw) }
        if let run = user.lastChangedRun { object["lastChangedRun"] = .integer(run) }
        object["error"] = .bool(user.error)
        return object.jsonString()
    }

    /// The `users` columns, from a plan row's `state` in SQL.
    static let columnsFromState = """
        json_extract(state, '$.key'), json_extract(state, '$.userName'), json_extract(state, '$.id'),
        json_extract(state, '$.owned'), json_extract(state, '$.inFeed'), json_extract(state, '$.digest'),
        json_extract(state, '$.resource'), json_extract(state, '$.groups'), json_extract(state, '$.raw'),
        json_extract(state, '$.lastChangedRun'), json_extract(state, '$.error')
        """
}

extension FeedStore {
    /// What the feed knows of a userName (compared ignoring case).
    public func user(named userName: String) throws(FeedStoreError) -> KnownUser? {
        try read { db in
            try GRDB.Row.fetchOne(
                db, sql: "SELECT \(Self.knownUserColumns) FROM users WHERE key = ?", arguments: [FeedUser.key(userName)]
            ).map(Self.knownUser(from:))
        }
    }

    /// Of `keys`, those whose user the feed created, holds in the feed and applied without
    /// error, with the digest it was last applied with: an upload's record with that digest
    /// needs no work (``StagedItem/unchanged(key:userName:digest:location:)``).
    public func unchangedDigests(of keys: [String]) throws(FeedStoreError) -> [String: String] {
        guard !keys.isEmpty else { return [:] }
        return try read { db in
            // The keys as one JSON array: one bound value, whatever the batch's size.
            let rows = try GRDB.Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT key, digest FROM users WHERE key IN (SELECT value FROM json_each(?))
                          AND owned = 1 AND in_feed = 1 AND error = 0 AND id IS NOT NULL AND digest IS NOT NULL
                        """),
                arguments: [SCIMValue.array(keys.map(SCIMValue.string)).jsonString()])
            var digests: [String: String] = [:]
            while let row = try rows.next() { digests[row[0]] = row[1] }
            return digests
        }
    }

    /// Every user the feed knows, in key order.
    public func users() throws(FeedStoreError) -> [KnownUser] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT \(Self.knownUserColumns) FROM users ORDER BY key")
                .map(Self.knownUser(from:))
        }
    }

    /// Flags a user whose operations the target refused: the next run compares it in full,
    /// whatever its digest says.
    public func markError(userName: String) throws(FeedStoreError) {
        try write { db in
            try db.execute(sql: "UPDATE users SET error = 1 WHERE key = ?", arguments: [FeedUser.key(userName)])
        }
    }

    /// The `users` columns ``knownUser(from:)`` reads, in its order.
    static let knownUserColumns = "key, user_name, id, owned, in_feed, digest, resource, groups, raw, last_changed_run, error"

    /// A user from a row of ``knownUserColumns``. Read by position: GRDB finds a column by
    /// name by folding both names' case, which was the largest cost of planning a run whose
    /// users had not changed.
    static func knownUser(from row: GRDB.Row) throws -> KnownUser {
        var user = KnownUser(
            key: row[0], userName: row[1], id: row[2], owned: row[3], inFeed: row[4], digest: row[5], resource: nil,
            groups: try groups(json: row[7]), rawJSON: row[8], lastChangedRun: row[9], error: row[10])
        user.storedResource = StoredResource(json: row[6])
        return user
    }

    /// The `users` columns ``lightKnownUser(from:)`` reads, in its order: all of them in the
    /// index `users_light`, so that planning reads that index and not the table's rows, whose
    /// stored text is most of the store.
    static let lightKnownUserColumns = "key, user_name, id, owned, in_feed, digest, error"

    /// A user from a row of ``lightKnownUserColumns``, ``KnownUser/partial``: without its
    /// resource, groups, raw record and last changing run, which ``wholeKnownUser(_:_:)`` reads.
    static func lightKnownUser(from row: GRDB.Row) -> KnownUser {
        var user = KnownUser(
            key: row[0], userName: row[1], id: row[2], owned: row[3], inFeed: row[4], digest: row[5], resource: nil,
            groups: [], rawJSON: nil, lastChangedRun: nil, error: row[6])
        user.partial = true
        return user
    }

    /// A partial user (``lightKnownUser(from:)``) with the rest of its row, read in `db`.
    static func wholeKnownUser(_ db: Database, _ user: KnownUser) throws -> KnownUser {
        let statement = try db.cachedStatement(
            sql: "SELECT resource, groups, raw, last_changed_run FROM users WHERE key = ?")
        guard let row = try GRDB.Row.fetchOne(statement, arguments: [user.key]) else {
            throw FeedStoreError.database("the user \(user.key.prefix(60)) went from the store while a run was planned")
        }
        var whole = user
        whole.storedResource = StoredResource(json: row[0])
        whole.groups = try groups(json: row[1])
        whole.rawJSON = row[2]
        whole.lastChangedRun = row[3]
        whole.partial = false
        return whole
    }

    /// A `groups` column: a JSON array of group ids, written and read by scimsync's own JSON
    /// code (Foundation's coders cost more than the rest of a row).
    static func groupsJSON(_ groups: [String]) -> String {
        SCIMValue.array(groups.map(SCIMValue.string)).jsonString()
    }

    static func groups(json: String) throws -> [String] {
        guard let items = try SCIMValue(json: json).arrayValue else {
            throw FeedStoreError.database("a groups column holds \(json.prefix(40)), not a JSON array")
        }
        return try items.map { item in
            guard let id = item.stringValue else {
                throw FeedStoreError.database("a groups column holds \(json.prefix(40)), not a list of ids")
            }
            return id
        }
    }

    static func resource(json: String) -> SCIMResource? {
        (try? SCIMValue(json: json))?.objectValue.map(SCIMResource.init)
    }

    static func upsert(_ db: Database, _ user: KnownUser) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO users (key, user_name, id, owned, in_feed, digest, resource, groups, raw, last_changed_run, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            user.key, user.userName, user.id, user.owned, user.inFeed, user.digest, user.storedResource.json,
            groupsJSON(user.groups), user.rawJSON, user.lastChangedRun, user.error,
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
