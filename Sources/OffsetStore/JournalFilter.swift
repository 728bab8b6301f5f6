import Directory
import Foundation
import GRDB

/// Which journal entries to read: every condition set must hold.
public struct JournalFilter: Sendable, Hashable {
    /// One pipeline's entries; every pipeline's when nil.
    public var pipeline: String?
    /// Entries about users or about groups.
    public var kind: ResourceKind?
    /// `stream`, `load`, `reconcile` or `feed`.
    public var origin: String?
    public var outcome: JournalRecord.Outcome?
    /// Entries written at or after this time.
    public var since: Date?
    /// Entries written before this time.
    public var until: Date?
    /// Entries older than the entry of this sequence number (the next page of a listing).
    public var before: Int64?

    public init(
        pipeline: String? = nil, kind: ResourceKind? = nil, origin: String? = nil, outcome: JournalRecord.Outcome? = nil,
        since: Date? = nil, until: Date? = nil, before: Int64? = nil
    ) {
        self.pipeline = pipeline
        self.kind = kind
        self.origin = origin
        self.outcome = outcome
        self.since = since
        self.until = until
        self.before = before
    }
}

extension OffsetStore {
    /// The newest entries that `filter` lets through, at most `limit`, newest first.
    ///
    /// Entries are written in time order, so a time range is a range of sequence numbers:
    /// its ends are found by the primary key, without an index on the time (one B-tree fewer
    /// to update per entry written).
    public func journal(_ filter: JournalFilter, limit: Int) throws(OffsetStoreError) -> [JournalEntry] {
        do {
            return try queue.read { db in
                var conditions: [String] = []
                var arguments: [(any DatabaseValueConvertible)?] = []
                if let pipeline = filter.pipeline {
                    conditions.append("pipeline = ?")
                    arguments.append(pipeline)
                }
                if let kind = filter.kind {
                    conditions.append("kind = ?")
                    arguments.append(kind.rawValue)
                }
                if let origin = filter.origin {
                    conditions.append("origin = ?")
                    arguments.append(origin)
                }
                if let outcome = filter.outcome {
                    conditions.append("outcome = ?")
                    arguments.append(outcome.rawValue)
                }
                if let since = filter.since {
                    conditions.append(
                        "seq >= COALESCE((SELECT seq FROM journal WHERE at >= ? ORDER BY seq LIMIT 1), "
                            + "(SELECT MAX(seq) + 1 FROM journal))")
                    arguments.append(since.timeIntervalSince1970)
                }
                if let until = filter.until {
                    conditions.append(
                        "seq < COALESCE((SELECT seq FROM journal WHERE at >= ? ORDER BY seq LIMIT 1), "
                            + "(SELECT MAX(seq) + 1 FROM journal))")
                    arguments.append(until.timeIntervalSince1970)
                }
                if let before = filter.before {
                    conditions.append("seq < ?")
                    arguments.append(before)
                }
                let clause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                arguments.append(limit)
                return try GRDB.Row.fetchAll(
                    db, sql: "SELECT * FROM journal \(clause) ORDER BY seq DESC LIMIT ?",
                    arguments: StatementArguments(arguments)
                ).compactMap(Self.journalEntry)
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}
