import Foundation
import GRDB

/// A row the target refused (DESIGN.md: "a row the target refuses is quarantined with its
/// key"): what it is and why, never its values.
public struct QuarantineEntry: Sendable, Hashable {
    /// `User`, `Group` or `Membership`.
    public var kind: String
    /// The resource's id (`group user` for a membership).
    public var id: String
    /// Why the target refused it, in words without values.
    public var reason: String
    /// When it was first refused and when last (RFC 3339, UTC).
    public var since: String
    public var lastSeen: String
    /// How many times it was refused.
    public var count: Int
}

extension OffsetStore {
    /// Records that the target refused `kind` `id` for `reason`; a row refused again keeps
    /// `since`, takes the new reason and counts one more.
    ///
    /// - Parameter attributes: the top-level attributes of a refused PATCH; nil when the
    ///   refusal is about the whole resource (a create, a delete, a membership). A row refused
    ///   again keeps the union (nil if either is nil).
    public func quarantine(
        pipeline: String, kind: String, id: String, reason: String, attributes: Set<String>? = nil
    ) throws(OffsetStoreError) {
        // Forgotten whatever happens, as `park` does.
        defer { withoutQuarantined.added(pipeline) }
        do {
            try queue.write { db in
                var kept = attributes
                if let row = try GRDB.Row.fetchOne(
                    db, sql: "SELECT attributes FROM quarantine WHERE pipeline = ? AND kind = ? AND id = ?",
                    arguments: [pipeline, kind, id])
                {
                    let earlier = Self.attributeSet(row["attributes"])
                    kept = earlier.flatMap { earlier in kept.map { $0.union(earlier) } }
                }
                try db.execute(
                    sql: """
                        INSERT INTO quarantine (pipeline, kind, id, reason, since, last_seen, count, attributes)
                        VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1, ?)
                        ON CONFLICT (pipeline, kind, id) DO UPDATE SET
                          reason = excluded.reason, last_seen = excluded.last_seen, count = quarantine.count + 1,
                          attributes = excluded.attributes
                        """,
                    arguments: [pipeline, kind, id, reason, kept.map(Self.attributeText)])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Attribute names as the quarantine keeps them: a JSON array, sorted.
    static func attributeText(_ names: Set<String>) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: names.sorted())) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func attributeSet(_ text: String?) -> Set<String>? {
        guard let text, let names = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else { return nil }
        return Set(names)
    }

    /// Lifts the quarantine of rows that applied since (or were deleted at the source).
    /// Rows not in quarantine are no error.
    public func clearQuarantine(pipeline: String, _ rows: some Sequence<(kind: String, id: String)>)
        throws(OffsetStoreError)
    {
        try clearQuarantine(pipeline: pipeline, covering: rows.lazy.map { (kind: $0.kind, id: $0.id, covers: nil) })
    }

    /// Lifts the quarantine of rows that a change applied since: a change of the whole
    /// resource (`covers` nil) lifts any; a PATCH of some attributes lifts only a refused
    /// PATCH whose attributes it covers.
    public func clearQuarantine(
        pipeline: String, covering rows: some Sequence<(kind: String, id: String, covers: Set<String>?)>
    ) throws(OffsetStoreError) {
        // Every streamed batch asks this, and the quarantine is nearly always empty: known
        // empty, nothing is read; otherwise one precompiled statement in autocommit mode,
        // without the BEGIN and COMMIT a read transaction compiles each time.
        guard let token = withoutQuarantined.readToken(pipeline) else { return }
        do {
            let any = try queue.inDatabase { db in
                try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM quarantine WHERE pipeline = ?)"),
                    arguments: [pipeline]) ?? false
            }
            guard any else {
                withoutQuarantined.foundEmpty(pipeline, since: token)
                return
            }
            try queue.write { db in
                let delete = try db.cachedStatement(sql: "DELETE FROM quarantine WHERE pipeline = ? AND kind = ? AND id = ?")
                let refused = try db.cachedStatement(
                    sql: "SELECT attributes FROM quarantine WHERE pipeline = ? AND kind = ? AND id = ?")
                for row in rows {
                    if let covers = row.covers {
                        guard let entry = try GRDB.Row.fetchOne(refused, arguments: [pipeline, row.kind, row.id]),
                            let attributes = Self.attributeSet(entry["attributes"]), attributes.isSubset(of: covers)
                        else { continue }
                    }
                    try delete.execute(arguments: [pipeline, row.kind, row.id])
                }
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// `pipeline`'s quarantined rows, most recently refused first.
    public func quarantined(pipeline: String) throws(OffsetStoreError) -> [QuarantineEntry] {
        do {
            return try queue.read { db in
                try GRDB.Row.fetchAll(
                    db,
                    sql: """
                        SELECT kind, id, reason, since, last_seen, count FROM quarantine WHERE pipeline = ?
                        ORDER BY last_seen DESC, kind, id
                        """,
                    arguments: [pipeline]
                ).map { row in
                    QuarantineEntry(
                        kind: row["kind"], id: row["id"], reason: row["reason"], since: row["since"],
                        lastSeen: row["last_seen"], count: row["count"])
                }
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// How many rows `pipeline` has in quarantine: the `scimsync_quarantined_rows` gauge.
    public func quarantinedCount(pipeline: String) throws(OffsetStoreError) -> Int {
        do {
            return try queue.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine WHERE pipeline = ?", arguments: [pipeline])
                    ?? 0
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}
