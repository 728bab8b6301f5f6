import Directory
import GRDB
import SQLiteStore

/// A pipeline held back by a refused reconciliation: why, since when, and
/// whether someone approved the next pass (`scimsync approve`).
public struct PipelineHold: Sendable, Hashable {
    public var reason: String
    /// RFC 3339, UTC.
    public var since: String
    /// The next pass may go through once, whatever it removes.
    public var approved: Bool

    /// The reason of an approval given while nothing was held.
    public static let approvedInAdvance = "approved before any refusal"

    /// An approval given while nothing was held, not used yet.
    public var isApprovalInAdvance: Bool { approved && reason == Self.approvedInAdvance }
}

extension OffsetStore {
    /// The hold on `pipeline`, if any.
    public func hold(pipeline: String) throws(OffsetStoreError) -> PipelineHold? {
        do {
            return try queue.read { db in
                try GRDB.Row.fetchOne(
                    db, sql: "SELECT reason, since, approved FROM holds WHERE pipeline = ?", arguments: [pipeline]
                ).map { PipelineHold(reason: $0["reason"], since: $0["since"], approved: $0["approved"] != 0) }
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// Holds `pipeline` back for `reason` (a later refusal replaces the reason; an approval
    /// given before it stays).
    public func setHold(pipeline: String, reason: String) throws(OffsetStoreError) {
        try write(
            "INSERT INTO holds (pipeline, reason, since) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) "
                + "ON CONFLICT (pipeline) DO UPDATE SET reason = excluded.reason",
            [pipeline, reason])
    }

    /// Lets the next pass of `pipeline` through once (`scimsync approve`).
    public func approve(pipeline: String) throws(OffsetStoreError) {
        try write(
            "INSERT INTO holds (pipeline, reason, since, approved) VALUES (?, 'approved before any refusal', "
                + "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1) ON CONFLICT (pipeline) DO UPDATE SET approved = 1",
            [pipeline])
    }

    /// Lifts the hold (after a pass went through).
    public func clearHold(pipeline: String) throws(OffsetStoreError) {
        try write("DELETE FROM holds WHERE pipeline = ?", [pipeline])
    }

    /// Adds and removes ledger entries outside a position commit (reconciliation).
    public func updateLedger(added: [LedgerEntry], removed: [LedgerEntry], pipeline: String) throws(OffsetStoreError) {
        guard !added.isEmpty || !removed.isEmpty else { return }
        do {
            try queue.write { db in try Self.updateLedger(db, added: added, removed: removed, pipeline: pipeline) }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The ledger rows of one batch, with statements compiled once per connection.
    static func updateLedger(_ db: Database, added: [LedgerEntry], removed: [LedgerEntry], pipeline: String) throws {
        // Every create of a streamed batch adds an entry: up to 64 in one statement, the
        // pipeline bound once (`?1`; each plain `?` after it takes the next number).
        var start = added.startIndex
        while start < added.endIndex {
            let end = min(start + 64, added.endIndex)
            let marks = Array(repeating: "(?, ?)", count: end - start).joined(separator: ", ")
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO ledger (pipeline, kind, id) SELECT ?1, column1, column2 FROM (VALUES \(marks))")
            // Bound as database values through SQLite's API, as the journal's are.
            var values: [DatabaseValue] = [pipeline.databaseValue]
            values.reserveCapacity(1 + (end - start) * 2)
            for entry in added[start..<end] {
                values.append(entry.kind.rawValue.databaseValue)
                values.append(entry.id.databaseValue)
            }
            try insert.execute(binding: values)
            start = end
        }
        if !removed.isEmpty {
            let delete = try db.cachedStatement(sql: "DELETE FROM ledger WHERE pipeline = ? AND kind = ? AND id = ?")
            for entry in removed { try delete.execute(arguments: [pipeline, entry.kind.rawValue, entry.id]) }
        }
    }

    private func write(_ sql: String, _ arguments: StatementArguments) throws(OffsetStoreError) {
        do {
            try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }
}
