import Directory
import GRDB
import SCIM

/// An operation kept because it names a user or group the target did not have yet
/// (DESIGN.md: "an operation that cannot apply yet … is parked and retried when the row
/// arrives").
public struct StoredParkedOp: Sendable, Hashable {
    /// The target's parking key (`SQLTarget.parkingKey`): one entry per key.
    public var key: String
    public var op: ResourceOp
    /// The user or group whose arrival lets it apply.
    public var waitingKind: ResourceKind
    public var waitingID: String
    /// Why it waits, in words without values.
    public var reason: String
    /// When it was first parked (RFC 3339, UTC).
    public var since: String
    /// How many times it was parked: 1 on the first, one more at each retry that parked it
    /// again.
    public var attempts: Int
}

extension OffsetStore {
    /// Parks `op` under `key` for `pipeline`. Parking a key again replaces its operation, what
    /// it waits for and the reason, keeps `since` and counts one more attempt.
    public func park(
        pipeline: String, key: String, op: ResourceOp, waitingFor kind: ResourceKind, id: String, reason: String
    ) throws(OffsetStoreError) {
        // Forgotten after the write whatever happens: a reader that saw the table before it
        // must not keep "none" (a failed write only costs the next read).
        defer { withoutParked.added(pipeline) }
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO parked_ops (pipeline, key, op, waiting_kind, waiting_id, reason, since, attempts)
                        VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1)
                        ON CONFLICT (pipeline, key) DO UPDATE SET
                          op = excluded.op, waiting_kind = excluded.waiting_kind, waiting_id = excluded.waiting_id,
                          reason = excluded.reason, attempts = parked_ops.attempts + 1
                        """,
                    arguments: [pipeline, key, op.json.jsonString(), kind.rawValue, id, reason])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Forgets the parked operations under `keys` (they applied, or a later operation made
    /// them obsolete). Unknown keys are no error.
    public func unpark(pipeline: String, keys: some Sequence<String>) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                for key in keys {
                    try db.execute(
                        sql: "DELETE FROM parked_ops WHERE pipeline = ? AND key = ?", arguments: [pipeline, key])
                }
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// `pipeline`'s parked operations, oldest first.
    ///
    /// - Throws: `OffsetStoreError.corrupt` when a stored operation does not read back.
    public func parked(pipeline: String) throws(OffsetStoreError) -> [StoredParkedOp] {
        guard let token = withoutParked.readToken(pipeline) else { return [] }
        let rows: [GRDB.Row]
        do {
            // Read before every streamed batch: one statement compiled once, in autocommit
            // mode (a read transaction's BEGIN and COMMIT are compiled at every call).
            rows = try queue.inDatabase { db in
                try GRDB.Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT key, op, waiting_kind, waiting_id, reason, since, attempts FROM parked_ops
                            WHERE pipeline = ? ORDER BY since, key
                            """),
                    arguments: [pipeline])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
        if rows.isEmpty { withoutParked.foundEmpty(pipeline, since: token) }
        var result: [StoredParkedOp] = []
        for row in rows {
            let text: String = row["op"]
            let key: String = row["key"]
            let op: ResourceOp
            do {
                op = try ResourceOp(json: try SCIMValue(json: text))
            } catch {
                throw .corrupt(path: path, what: "a parked operation (key \(key)) that")
            }
            guard let kind = ResourceKind(rawValue: row["waiting_kind"]) else {
                throw .corrupt(path: path, what: "a parked operation (key \(key)) waiting for a kind that")
            }
            result.append(
                StoredParkedOp(
                    key: key, op: op, waitingKind: kind, waitingID: row["waiting_id"], reason: row["reason"],
                    since: row["since"], attempts: row["attempts"]))
        }
        return result
    }

    /// How many operations `pipeline` has parked: the `scimsync_parked_ops` gauge.
    public func parkedCount(pipeline: String) throws(OffsetStoreError) -> Int {
        do {
            return try queue.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM parked_ops WHERE pipeline = ?", arguments: [pipeline])
                    ?? 0
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}
