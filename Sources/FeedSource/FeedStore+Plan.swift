import Directory
import Foundation
import GRDB
import SCIM

/// A slice of a running run's plan: operations for one target transaction, and the plan rows
/// they come from (recorded as applied together, by ``FeedStore/chunkApplied(_:)``).
public struct FeedPlanChunk: Sendable, Hashable {
    /// The run the chunk belongs to.
    public var run: Int64
    /// The plan rows covered: after `after`, up to and including `through`.
    public var after: Int
    public var through: Int
    /// In an order the target accepts (``Directory/ResourceOp/ordered(_:)``).
    public var ops: [ResourceOp]

    public init(run: Int64, after: Int, through: Int, ops: [ResourceOp]) {
        self.run = run
        self.after = after
        self.through = through
        self.ops = ops
    }
}

extension FeedStore {
    /// Users per planning page and per default chunk: small enough to keep memory flat.
    public static let pageSize = 500

    /// Starts applying a `ready` run: diffs it against what the feed knows (``FeedDiff``),
    /// stores the plan and makes the run `running`, all in one transaction.
    ///
    /// - Parameters:
    ///   - approvedBy: who approved a run the safety rule held; a held run without one throws
    ///     ``FeedStoreError/held(run:reason:)``.
    ///   - managedGroups: ids of the groups the feed may change.
    ///   - existingUserID: the target's id for a userName the feed has not created, if the
    ///     target has one (such users are reported, not adopted).
    @discardableResult
    public func start(
        _ run: Int64, approvedBy: String? = nil, managedGroups: Set<String>,
        existingUserID: (String) throws -> String? = { _ in nil }
    ) throws(FeedStoreError) -> FeedRun {
        try write { db in
            guard let record = try Self.fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
            if let reason = record.holdReason, record.state == .ready, approvedBy == nil {
                throw FeedStoreError.held(run: run, reason: reason)
            }
            try Self.transition(db, run, .start)
            // Each page is read from the statement's rows as they come (a cursor), not copied
            // into rows first, and from the index of the users' light columns: most users are
            // passed over by their digest alone, and the diff reads the rest of a user's row
            // only when it changes, blocks or keeps the user.
            let knownPage = try db.cachedStatement(
                sql: "SELECT \(Self.lightKnownUserColumns) FROM users WHERE key > ? ORDER BY key LIMIT ?")
            let known = KeyPages<KnownUser> { after in
                try Self.page(knownPage, arguments: [after ?? "", Self.pageSize], Self.lightKnownUser(from:))
            }
            let currentPage = try db.cachedStatement(
                sql: """
                    SELECT \(Self.currentEntryColumns) FROM run_records WHERE run = ? AND key > ? ORDER BY key LIMIT ?
                    """)
            let current = KeyPages<CurrentEntry> { after in
                try Self.page(currentPage, arguments: [run, after ?? "", Self.pageSize], Self.currentEntry(from:))
            }
            var counts = record.counts
            var seq = 0
            let insertPlan = try db.cachedStatement(
                sql: "INSERT INTO plan (run, seq, key, kind, ops, state) VALUES (?, ?, ?, ?, ?, ?)")
            var logSeq =
                try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM run_log WHERE run = ?", arguments: [run])
                ?? 0
            try withoutActuallyEscaping(existingUserID) { existing in
                var diff = FeedDiff(
                    known: known, current: current, run: run, managedGroups: managedGroups, existingUserID: existing
                ) { try Self.wholeKnownUser(db, $0) }
                while let change = try diff.next() {
                    seq += 1
                    counts[change.kind.rawValue, default: 0] += 1
                    try insertPlan.execute(arguments: [
                        run, seq, change.key, change.kind.rawValue, SCIMValue.array(change.ops.map(\.json)).jsonString(),
                        StoredUser.json(change.state),
                    ])
                    if change.kind == .foreign, change.state.lastChangedRun == run {
                        // Reported once, when the feed first meets the userName in the target.
                        logSeq += 1
                        try db.execute(
                            sql: "INSERT INTO run_log (run, seq, location, field, reason) VALUES (?, ?, ?, ?, ?)",
                            arguments: [
                                run, logSeq, change.location?.description ?? "", nil,
                                "\(change.location?.description ?? "a record"): the target already has a user with this userName that the feed did not create; it is left alone (the feed never adopts users)",
                            ])
                    }
                }
            }
            if let failure = known.failure ?? current.failure { throw failure }
            try db.execute(
                sql: "UPDATE runs SET planned = ?, applied_through = 0, counts = ?, approved_by = ? WHERE id = ?",
                arguments: [seq, try Self.json(counts), approvedBy, run])
            return try Self.fetchRun(db, run)!
        }
    }

    /// The next operations of a `running` run, from at most `maxUsers` users' changes; nil
    /// when every change is recorded as applied. Resuming after a crash starts here too.
    public func nextChunk(_ run: Int64, maxUsers: Int = FeedStore.pageSize) throws(FeedStoreError) -> FeedPlanChunk? {
        try nextChunk(run, after: nil, maxUsers: maxUsers)
    }

    /// The operations of a `running` run's plan rows after row `after` (after those recorded
    /// as applied when nil), from at most `maxUsers` users' changes; nil when none is left. A
    /// stream hands out the next chunk before the previous one is recorded this way.
    public func nextChunk(_ run: Int64, after: Int?, maxUsers: Int = FeedStore.pageSize) throws(FeedStoreError)
        -> FeedPlanChunk?
    {
        try read { db in
            guard let record = try Self.fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
            guard record.state == .running else {
                throw FeedStoreError.illegal(IllegalRunTransition(run: run, state: record.state, event: .finish))
            }
            let start = max(after ?? record.appliedThrough, record.appliedThrough)
            let rows = try GRDB.Row.fetchAll(
                db, sql: "SELECT seq, ops FROM plan WHERE run = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [run, start, maxUsers])
            guard let last = rows.last else { return nil }
            var ops: [ResourceOp] = []
            for row in rows {
                let text: String = row["ops"]
                for item in try SCIMValue(json: text).arrayValue ?? [] { ops.append(try ResourceOp(json: item)) }
            }
            return FeedPlanChunk(run: run, after: start, through: last["seq"], ops: ResourceOp.ordered(ops))
        }
    }

    /// Records that the target committed `chunk`: the users it changed get their new state
    /// and the run's applied mark moves past it, in one transaction. Recording a chunk that
    /// is already recorded changes nothing, so a retried call is harmless.
    public func chunkApplied(_ chunk: FeedPlanChunk) throws(FeedStoreError) {
        try write { db in
            guard let record = try Self.fetchRun(db, chunk.run) else { throw FeedStoreError.noSuchRun(chunk.run) }
            guard record.state == .running else {
                throw FeedStoreError.illegal(IllegalRunTransition(run: chunk.run, state: record.state, event: .finish))
            }
            guard chunk.through > record.appliedThrough else { return }
            // The users' new states, straight from the plan rows (one per user).
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO users (key, user_name, id, owned, in_feed, digest, resource, groups, raw, last_changed_run, error)
                    SELECT \(StoredUser.columnsFromState) FROM plan WHERE run = ? AND seq > ? AND seq <= ?
                    """,
                arguments: [chunk.run, record.appliedThrough, chunk.through])
            try db.execute(
                sql: "UPDATE runs SET applied_through = ? WHERE id = ?", arguments: [chunk.through, chunk.run])
        }
    }

    /// Marks the users of these ids, and the members of these groups, as not held by the
    /// target as planned (it refused an operation of theirs, or a member change of the
    /// group's): the next run sends them again whole, memberships included, as it does a user
    /// whose record was skipped.
    public func markRefused(userIDs: [String], groupIDs: [String] = []) throws(FeedStoreError) {
        try write { db in
            for id in userIDs {
                try db.execute(sql: "UPDATE users SET error = 1 WHERE id = ?", arguments: [id])
            }
            for id in groupIDs {
                try db.execute(
                    sql: """
                        UPDATE users SET error = 1
                        WHERE in_feed = 1 AND EXISTS (SELECT 1 FROM json_each(users.groups) WHERE value = ?)
                        """, arguments: [id])
            }
        }
    }

    /// The userNames of `run`'s records that the feed has not created: the ones to ask the
    /// target about before planning (``start(_:approvedBy:managedGroups:existingUserID:)``).
    public func unownedUserNames(of run: Int64) throws(FeedStoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT r.user_name FROM run_records r LEFT JOIN users u ON u.key = r.key
                    WHERE r.run = ? AND r.skipped = 0 AND (u.key IS NULL OR u.owned = 0)
                    ORDER BY r.key
                    """, arguments: [run])
        }
    }

    /// Completes a `running` run whose every change is recorded as applied.
    public func finish(_ run: Int64) throws(FeedStoreError) {
        try write { db in
            guard let record = try Self.fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
            if record.state == .running, record.appliedThrough < record.planned {
                throw FeedStoreError.notFullyApplied(run: run, applied: record.appliedThrough, planned: record.planned)
            }
            try Self.transition(db, run, .finish)
            try Self.dropWorkTables(db, run)
        }
        shrinkLog()
    }

    /// Copies the write-ahead log into the store and truncates it: planning a large run grew
    /// it to the run's size, and a passive checkpoint (SQLite's own, after commits) cannot
    /// reset it while readers come and go. Best effort: it waits two seconds at most for a
    /// reader (not the store's two minutes), and the log is otherwise truncated at a later
    /// run's end.
    func shrinkLog() {
        _ = try? queue.writeWithoutTransaction { db in
            // The store's own busy timeout (120 s) is set again afterwards.
            try db.execute(sql: "PRAGMA busy_timeout = 2000")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = 120000") }
            try db.checkpoint(.truncate)
        }
    }

    /// The `run_records` columns ``currentEntry(from:)`` reads, in its order.
    static let currentEntryColumns = "key, user_name, skipped, file, line, record, digest, resource, groups, raw, unchanged"

    /// An upload's entry from a row of ``currentEntryColumns``, read by position.
    static func currentEntry(from row: GRDB.Row) throws -> CurrentEntry {
        let key: String = row[0]
        let userName: String = row[1]
        let skipped: Bool = row[2]
        if row[10] as Bool, let digest = row[6] as String? {
            return .unchanged(key: key, userName: userName, digest: digest)
        }
        let resourceText: String? = row[7]
        let groupsText: String? = row[8]
        guard !skipped, let resourceText, let groupsText else {
            return .skipped(key: key, userName: userName)
        }
        let location = RecordLocation(file: row[3], line: row[4], record: row[5])
        return .user(
            FeedUser(
                userName: userName, key: key, storedResource: StoredResource(json: resourceText),
                groups: try groups(json: groupsText), digest: row[6] ?? "", rawJSON: row[9] ?? "{}", location: location))
    }

    /// One page of a merge's side: each row of `statement` made an element, keyed by the
    /// row's first column.
    static func page<Element>(
        _ statement: Statement, arguments: StatementArguments, _ element: (GRDB.Row) throws -> Element
    ) throws -> [(key: String, element: Element)] {
        var page: [(key: String, element: Element)] = []
        page.reserveCapacity(pageSize)
        let rows = try GRDB.Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() { page.append((row[0], try element(row))) }
        return page
    }
}
