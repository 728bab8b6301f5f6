import Foundation
import GRDB
import SQLiteStore
import SCIM

/// One thing an upload's reading produced, for the store.
public enum StagedItem: Sendable, Hashable {
    /// A user ready for the diff.
    case user(FeedUser)
    /// A record that was skipped but names its user: the user is kept as it is this run
    /// (neither changed nor blocked) and retried by the next.
    case skipped(key: String, userName: String, RecordProblem)
    /// A problem that names no user (a malformed line, a record without a userName).
    case problem(RecordProblem)
    /// A record whose digest is the one of a user the feed created, holds in the feed and has
    /// applied without error: nothing of it is mapped or kept but its key and digest, and the
    /// diff passes over it (``FeedStore/unchangedDigests(of:)``).
    case unchanged(key: String, userName: String, digest: String, location: RecordLocation)
}

extension FeedStore {
    /// Records a batch of an upload's records and problems for an `uploading` run.
    ///
    /// A userName already staged for the run (compared ignoring case) is a duplicate: it is
    /// logged with both places, and the first record stays.
    public func stage(run: Int64, _ items: [StagedItem]) throws(FeedStoreError) {
        try write { db in
            guard let record = try Self.fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
            guard record.state == .uploading else {
                throw FeedStoreError.illegal(IllegalRunTransition(run: run, state: record.state, event: .uploaded))
            }
            var seq =
                try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM run_log WHERE run = ?", arguments: [run])
                ?? 0
            var counts = record.counts
            var errors = 0
            func log(_ problem: RecordProblem) throws {
                seq += 1
                errors += 1
                // A fatal problem skips no one record: it fails the run instead.
                if !problem.isFatal { counts["skipped", default: 0] += 1 }
                try db.execute(
                    sql: "INSERT INTO run_log (run, seq, location, field, reason) VALUES (?, ?, ?, ?, ?)",
                    arguments: [run, seq, problem.location.description, problem.field, problem.description])
            }
            func insert(
                key: String, userName: String, location: RecordLocation, user: FeedUser?, unchangedDigest: String? = nil
            ) throws -> Bool {
                try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO run_records
                          (run, key, user_name, file, line, record, skipped, digest, resource, groups, raw, unchanged)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                    // Database values bound through SQLite's API: GRDB's arguments, boxed and
                    // converted value by value, cost more than the insert of a record staged as
                    // unchanged.
                ).execute(binding: [
                    run.databaseValue, key.databaseValue, userName.databaseValue, location.file.databaseValue,
                    location.line?.databaseValue ?? .null, location.record?.databaseValue ?? .null,
                    (user == nil && unchangedDigest == nil).databaseValue,
                    (user?.digest ?? unchangedDigest)?.databaseValue ?? .null,
                    user?.storedResource.json?.databaseValue ?? .null,
                    user.map { Self.groupsJSON($0.groups) }?.databaseValue ?? .null, user?.rawJSON.databaseValue ?? .null,
                    (unchangedDigest != nil).databaseValue,
                ])
                return db.changesCount > 0
            }
            func firstLocation(_ key: String) throws -> RecordLocation {
                let row = try GRDB.Row.fetchOne(
                    db, sql: "SELECT file, line, record FROM run_records WHERE run = ? AND key = ?",
                    arguments: [run, key])
                return RecordLocation(file: row?["file"] ?? "", line: row?["line"], record: row?["record"])
            }
            /// A user's record (whole, or unchanged by its digest); a second one of a userName is
            /// logged as a duplicate and the first stays.
            func stageRecord(
                key: String, userName: String, location: RecordLocation, user: FeedUser?, unchangedDigest: String? = nil
            ) throws {
                counts["records", default: 0] += 1
                if try !insert(key: key, userName: userName, location: location, user: user, unchangedDigest: unchangedDigest) {
                    try log(
                        RecordProblem(location: location, field: nil, reason: .duplicateUserName(first: try firstLocation(key))))
                }
            }
            for item in items {
                switch item {
                case .user(let user):
                    try stageRecord(key: user.key, userName: user.userName, location: user.location, user: user)
                case .unchanged(let key, let userName, let digest, let location):
                    try stageRecord(key: key, userName: userName, location: location, user: nil, unchangedDigest: digest)
                case .skipped(let key, let userName, let problem):
                    counts["records", default: 0] += 1
                    try log(problem)
                    _ = try insert(key: key, userName: userName, location: problem.location, user: nil)
                case .problem(let problem):
                    if !problem.isFatal { counts["records", default: 0] += 1 }
                    try log(problem)
                }
            }
            try db.execute(
                sql: "UPDATE runs SET counts = ?, errors = errors + ? WHERE id = ?",
                arguments: [try Self.json(counts), errors, run])
        }
    }

    /// Forgets what reading an `uploading` run's files staged so far, so that reading them
    /// again (after a crash while reading) starts clean instead of finding every record a
    /// duplicate of itself.
    public func resetStaging(_ run: Int64) throws(FeedStoreError) {
        try write { db in
            guard let record = try Self.fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
            guard record.state == .uploading else {
                throw FeedStoreError.illegal(IllegalRunTransition(run: run, state: record.state, event: .uploaded))
            }
            try Self.dropWorkTables(db, run)
            try db.execute(sql: "DELETE FROM run_log WHERE run = ?", arguments: [run])
            try db.execute(sql: "UPDATE runs SET counts = '{}', errors = 0 WHERE id = ?", arguments: [run])
        }
    }

    /// Ends a run's upload: records its files and what the safety rule said, and makes it
    /// `ready`. A held run keeps the reason until someone approves it.
    public func markUploaded(_ run: Int64, files: [FeedFileInfo], decision: SafetyDecision) throws(FeedStoreError) {
        try write { db in
            try Self.transition(db, run, .uploaded)
            let reason: String?
            switch decision {
            case .apply: reason = nil
            case .hold(let why): reason = why
            }
            try db.execute(
                sql: "UPDATE runs SET files = ?, hold_reason = ? WHERE id = ?",
                arguments: [try Self.json(files), reason, run])
        }
    }

    /// Records the upload's files without changing the state (a run that fails while reading
    /// still shows what was uploaded).
    public func recordFiles(_ run: Int64, files: [FeedFileInfo]) throws(FeedStoreError) {
        try write { db in
            try db.execute(sql: "UPDATE runs SET files = ? WHERE id = ?", arguments: [try Self.json(files), run])
        }
    }
}
