import Directory
import Foundation
import GRDB
import SQLiteStore

/// How long the operations journal keeps its entries.
public struct JournalPolicy: Sendable, Hashable {
    /// Entries older than this many seconds are removed.
    public var keepSeconds: Int
    /// At most this many entries are kept, the oldest removed first.
    public var maxEntries: Int

    public init(keepSeconds: Int, maxEntries: Int) {
        self.keepSeconds = keepSeconds
        self.maxEntries = maxEntries
    }

    /// What a store keeps until told otherwise: 30 days, at most a million entries.
    public static let standard = JournalPolicy(keepSeconds: 30 * 86_400, maxEntries: 1_000_000)
}

/// One journal entry as read back: a record with where and when it was made.
public struct JournalEntry: Sendable, Hashable {
    public var seq: Int64
    public var pipeline: String
    /// UTC, ISO 8601 with milliseconds.
    public var at: String
    /// `stream`, `load`, `reconcile` or `feed`.
    public var origin: String
    /// The source position of the batch, as `status` prints positions.
    public var position: String?
    public var record: JournalRecord
}

/// The operations journal: every operation a pipeline applied, with the source position it
/// came from and what became of it, written in the same transaction as the position it
/// belongs to, and pruned by age and count as it grows.
extension OffsetStore {
    /// Keeps the journal under `policy` from now on; nil stops recording.
    public func keepJournal(_ policy: JournalPolicy?) {
        journalState.withLock { $0.policy = policy }
    }

    /// Whether the journal is kept now (``keepJournal(_:)``).
    public var keepsJournal: Bool {
        journalState.withLock { $0.policy != nil }
    }

    /// Records `records` outside a position commit (a part of a source transaction, parked
    /// operations applied late, a load's or a pass's repairs).
    public func appendJournal(
        _ records: [JournalRecord], pipeline: String, origin: String, position: SourcePosition? = nil
    ) throws(OffsetStoreError) {
        guard !records.isEmpty, journalState.withLock({ $0.policy }) != nil else { return }
        do {
            try queue.write { db in try appendJournal(db, records, pipeline: pipeline, origin: origin, position: position) }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The entries about the resource `kind` `id` of `pipeline`, newest first: its own, and,
    /// for a user, the membership changes that named it.
    public func journal(pipeline: String, kind: ResourceKind, id: String, limit: Int = 100) throws(OffsetStoreError)
        -> [JournalEntry]
    {
        do {
            return try queue.read { db in
                let sql =
                    kind == .user
                    ? """
                    SELECT * FROM journal WHERE pipeline = ? AND ((kind = 'User' AND resource_id = ?)
                      OR (kind = 'Group' AND related_id = ? AND action IN ('addMember', 'removeMember')))
                    ORDER BY seq DESC LIMIT ?
                    """
                    : "SELECT * FROM journal WHERE pipeline = ? AND kind = 'Group' AND resource_id = ? ORDER BY seq DESC LIMIT ?"
                let arguments: StatementArguments = kind == .user ? [pipeline, id, id, limit] : [pipeline, id, limit]
                return try GRDB.Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.journalEntry)
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    /// The newest entries of `pipeline` (every pipeline when nil), optionally of one outcome.
    public func journal(pipeline: String?, outcome: JournalRecord.Outcome? = nil, limit: Int = 100) throws(OffsetStoreError)
        -> [JournalEntry]
    {
        try journal(JournalFilter(pipeline: pipeline, outcome: outcome), limit: limit)
    }

    /// Writes `records` within the caller's transaction, and prunes once enough were written
    /// since the last prune (pruning is two indexed DELETEs, not worth a transaction each).
    func appendJournal(
        _ db: Database, _ records: [JournalRecord], pipeline: String, origin: String, position: SourcePosition?
    ) throws {
        guard !records.isEmpty, let policy = journalState.withLock({ $0.policy }) else { return }
        let at = Date().timeIntervalSince1970
        let text = position.map(Self.positionText)
        // One statement per up to 32 records: per-statement overhead, not SQLite's work,
        // dominated one INSERT per record. What the records share (pipeline, time, origin,
        // position) is bound once per statement, and a chunk with no reason and no values
        // binds neither column: binding the values, more than SQLite's inserts, was the
        // journal's cost on every streamed batch.
        var joinedLists: [(list: [String], joined: DatabaseValue)] = []
        var start = records.startIndex
        while start < records.endIndex {
            let end = min(start + 32, records.endIndex)
            let chunk = records[start..<end]
            let plain = chunk.allSatisfy { $0.reason == nil && $0.values == nil }
            let marks = Array(repeating: plain ? "(?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count)
                .joined(separator: ", ")
            // `?1` to `?4` are the shared values; each plain `?` after them takes the next number.
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO journal (pipeline, at, origin, position, kind, resource_id, related_id, action, attributes,
                      outcome\(plain ? "" : ", reason, vals")) SELECT ?1, ?2, ?3, ?4, column1, column2, column3, column4,
                      column5, column6\(plain ? "" : ", column7, column8") FROM (VALUES \(marks))
                    """)
            // Database values, not values of any convertible type: boxing each value and then
            // converting it cost more than SQLite's insert.
            var values: [DatabaseValue] = [
                pipeline.databaseValue, at.databaseValue, origin.databaseValue, text?.databaseValue ?? .null,
            ]
            values.reserveCapacity(4 + chunk.count * (plain ? 6 : 8))
            for record in chunk {
                // A batch's operations of one kind name the same attributes: each list is joined
                // once, and its few lists alternate (a user's creation, its memberships).
                let joined: DatabaseValue
                if let known = joinedLists.first(where: { $0.list == record.attributes }) {
                    joined = known.joined
                } else {
                    joined = record.attributes.joined(separator: ",").databaseValue
                    if joinedLists.count == 4 { joinedLists.removeFirst() }
                    joinedLists.append((record.attributes, joined))
                }
                values.append(record.kind.rawValue.databaseValue)
                values.append(record.id.databaseValue)
                values.append(record.relatedID?.databaseValue ?? .null)
                values.append(record.action.databaseValue)
                values.append(joined)
                values.append(record.outcome.rawValue.databaseValue)
                if !plain {
                    values.append(record.reason?.databaseValue ?? .null)
                    values.append(record.values?.databaseValue ?? .null)
                }
            }
            try insert.execute(binding: values)
            start = end
        }
        let due = journalState.withLock { state -> Bool in
            state.sincePrune += records.count
            guard state.sincePrune >= Self.pruneEvery else { return false }
            state.sincePrune = 0
            return true
        }
        if due { try Self.pruneJournal(db, policy: policy, now: Date()) }
    }

    /// Removes what `policy` no longer keeps now.
    public func pruneJournal(now: Date = Date()) throws(OffsetStoreError) {
        guard let policy = journalState.withLock({ $0.policy }) else { return }
        do {
            try queue.write { db in try Self.pruneJournal(db, policy: policy, now: now) }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Records written between two prunes.
    static let pruneEvery = 10_000

    static func pruneJournal(_ db: Database, policy: JournalPolicy, now: Date) throws {
        let oldest = now.timeIntervalSince1970 - Double(policy.keepSeconds)
        // Entries are written in time order, so the old ones are a prefix in `seq` order: found
        // without an index on `at` (one fewer B-tree to update per entry).
        try db.execute(
            sql: """
                DELETE FROM journal WHERE seq < COALESCE(
                  (SELECT seq FROM journal WHERE at >= ? ORDER BY seq LIMIT 1), (SELECT MAX(seq) + 1 FROM journal))
                """, arguments: [oldest])
        try db.execute(
            sql: "DELETE FROM journal WHERE seq <= (SELECT MAX(seq) FROM journal) - ?", arguments: [policy.maxEntries])
    }

    static func journalTimestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    static func positionText(_ position: SourcePosition) -> String {
        switch position {
        case .binlog(let file, let offset, let gtid): "\(file):\(offset)" + (gtid.map { " (GTID \($0))" } ?? "")
        case .changeTracking(let version): "change-tracking version \(version)"
        case .token(let token): token.count > 80 ? String(token.prefix(80)) + "…" : token
        }
    }

    static func journalEntry(_ row: GRDB.Row) -> JournalEntry? {
        guard let kind = ResourceKind(rawValue: row["kind"]), let outcome = JournalRecord.Outcome(rawValue: row["outcome"])
        else { return nil }
        let attributes: String = row["attributes"]
        // Seconds since 1970; a text time (written by another tool) is shown as it is, never
        // decoded by force: a row this version cannot read must not stop the reader.
        let stored: DatabaseValue = row["at"]
        let at: String =
            switch stored.storage {
            case .double(let seconds): journalTimestamp(Date(timeIntervalSince1970: seconds))
            case .int64(let seconds): journalTimestamp(Date(timeIntervalSince1970: Double(seconds)))
            case .string(let text): text
            case .null, .blob: ""
            }
        return JournalEntry(
            seq: row["seq"], pipeline: row["pipeline"], at: at,
            origin: row["origin"], position: row["position"],
            record: JournalRecord(
                kind: kind, id: row["resource_id"], relatedID: row["related_id"], action: row["action"],
                attributes: attributes.isEmpty ? [] : attributes.split(separator: ",").map(String.init), outcome: outcome,
                reason: row["reason"], values: row["vals"]))
    }
}
