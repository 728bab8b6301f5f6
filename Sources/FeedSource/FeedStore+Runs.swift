import Foundation
import GRDB
import SCIM

extension FeedStore {
    /// Starts a run in state `uploading`.
    /// - Parameter owner: the process the upload is lost with when it stops (one that
    ///   receives every file itself); nil for an upload whose files may come from later
    ///   requests.
    /// - Throws: ``FeedStoreError/runInProgress(_:)`` while another run is not final.
    public func createRun(startedBy: String, owner: UploadOwner? = nil, now: Date = Date()) throws(FeedStoreError) -> Int64 {
        try write { db in
            if let open = try Int64.fetchOne(
                db, sql: "SELECT id FROM runs WHERE state IN ('uploading', 'ready', 'running') ORDER BY id LIMIT 1")
            {
                throw FeedStoreError.runInProgress(open)
            }
            try db.execute(
                sql: "INSERT INTO runs (state, created, started_by, owner) VALUES (?, ?, ?, ?)",
                arguments: [FeedRunState.uploading.rawValue, now.ISO8601Format(), startedBy, owner?.description])
            return db.lastInsertedRowID
        }
    }

    /// Records that `owner` reads the files of the `uploading` run: every file is in.
    public func beginReading(_ run: Int64, by owner: UploadOwner) throws(FeedStoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE runs SET owner = ?, reading = 1 WHERE id = ? AND state = 'uploading'",
                arguments: [owner.description, run])
        }
    }

    /// An `uploading` run that depends on a process.
    public struct OwnedUpload: Sendable, Hashable {
        public var run: Int64
        public var owner: UploadOwner
        /// Every file was in and reading had begun.
        public var reading: Bool
    }

    /// The `uploading` runs that depend on a process.
    public func ownedUploads() throws(FeedStoreError) -> [OwnedUpload] {
        try read { db in
            try GRDB.Row.fetchAll(
                db, sql: "SELECT id, owner, reading FROM runs WHERE state = 'uploading' AND owner IS NOT NULL ORDER BY id"
            ).compactMap { row in
                UploadOwner(row["owner"] as String).map { OwnedUpload(run: row["id"], owner: $0, reading: row["reading"] != 0) }
            }
        }
    }

    /// The run with this id.
    public func run(_ id: Int64) throws(FeedStoreError) -> FeedRun? {
        try read { db in try Self.fetchRun(db, id) }
    }

    /// Every run, newest first.
    public func runs() throws(FeedStoreError) -> [FeedRun] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY id DESC").map(Self.run(from:))
        }
    }

    /// The newest complete run: the one a new run is compared with.
    public func lastCompleteRun() throws(FeedStoreError) -> FeedRun? {
        try read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT * FROM runs WHERE state = 'complete' ORDER BY id DESC LIMIT 1")
                .map(Self.run(from:))
        }
    }

    /// The run left `running` (by a crash, or still applying): it is resumed, not restarted.
    public func runningRun() throws(FeedStoreError) -> FeedRun? {
        try read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT * FROM runs WHERE state = 'running' ORDER BY id LIMIT 1")
                .map(Self.run(from:))
        }
    }

    /// The problems logged for a run, in the order they were found.
    public func log(of run: Int64) throws(FeedStoreError) -> [FeedLogEntry] {
        try read { db in
            try GRDB.Row.fetchAll(db, sql: "SELECT * FROM run_log WHERE run = ? ORDER BY seq", arguments: [run]).map {
                FeedLogEntry(location: $0["location"], field: $0["field"], reason: $0["reason"])
            }
        }
    }

    /// Records that a person approved a `ready` run: the pipeline starts it at its next look,
    /// whatever the safety rule said.
    /// - Throws: ``FeedStoreError/illegal(_:)`` for a run that is not `ready`.
    @discardableResult
    public func approve(_ run: Int64, by person: String) throws(FeedStoreError) -> FeedRun {
        try write { db in
            guard let record = try Self.fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
            guard record.state == .ready else {
                throw FeedStoreError.illegal(IllegalRunTransition(run: run, state: record.state, event: .start))
            }
            // The first approval is the one on record: a second (or a race of several) does
            // not rewrite who approved.
            try db.execute(sql: "UPDATE runs SET approved_by = COALESCE(approved_by, ?) WHERE id = ?", arguments: [person, run])
            return try Self.fetchRun(db, run)!
        }
    }

    /// The run the pipeline should apply next: the one left `running` (resumed), else the
    /// oldest `ready` run that the safety rule let through or that a person approved.
    public func nextRunToApply() throws(FeedStoreError) -> FeedRun? {
        try read { db in
            try GRDB.Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM runs
                    WHERE state = 'running' OR (state = 'ready' AND (hold_reason IS NULL OR approved_by IS NOT NULL))
                    ORDER BY state = 'running' DESC, id LIMIT 1
                    """
            ).map(Self.run(from:))
        }
    }

    /// Cancels a run that has not started applying.
    public func cancel(_ run: Int64) throws(FeedStoreError) {
        try write { db in
            try Self.transition(db, run, .cancel)
            try Self.dropWorkTables(db, run)
        }
    }

    /// Marks a run failed, with the reason (for the run log).
    public func fail(_ run: Int64, reason: String) throws(FeedStoreError) {
        try write { db in
            try Self.transition(db, run, .fail)
            try db.execute(sql: "UPDATE runs SET failure_reason = ? WHERE id = ?", arguments: [reason, run])
            try Self.dropWorkTables(db, run)
        }
    }

    /// Moves `run` on by `event`, enforcing the legal transitions.
    @discardableResult
    static func transition(_ db: Database, _ run: Int64, _ event: FeedRunEvent) throws -> FeedRun {
        guard var record = try fetchRun(db, run) else { throw FeedStoreError.noSuchRun(run) }
        do {
            record.state = try record.state.after(event)
        } catch {
            throw FeedStoreError.illegal(IllegalRunTransition(run: run, state: record.state, event: event))
        }
        try db.execute(sql: "UPDATE runs SET state = ? WHERE id = ?", arguments: [record.state.rawValue, run])
        return record
    }

    /// Staged records and the plan are only needed until a run is final; the users table and
    /// the run log keep what lasts.
    static func dropWorkTables(_ db: Database, _ run: Int64) throws {
        for table in ["run_records", "plan"] {
            // "When the WHERE clause and RETURNING clause are both omitted from a DELETE
            // statement and the table being deleted has no triggers, SQLite uses an
            // optimization to erase the entire table content without having to visit each row
            // of the table individually" (sqlite.org, "DELETE"). A run's rows are usually the
            // table's only ones, and deleting them one by one rewrote every page of the table
            // through the log. Whether other runs have rows is two seeks in the (run, …) key,
            // not a scan of this run's rows.
            let others =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM \(table) WHERE run < ?1) OR EXISTS (SELECT 1 FROM \(table) WHERE run > ?1)
                        """, arguments: [run]) ?? true
            if others {
                try db.execute(sql: "DELETE FROM \(table) WHERE run = ?", arguments: [run])
            } else {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
    }

    static func fetchRun(_ db: Database, _ id: Int64) throws -> FeedRun? {
        try GRDB.Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(run(from:))
    }

    static func run(from row: GRDB.Row) throws -> FeedRun {
        let stateText: String = row["state"]
        guard let state = FeedRunState(rawValue: stateText) else {
            throw FeedStoreError.database("run \(row["id"] as Int64) has an unknown state \"\(stateText)\"")
        }
        let filesText: String = row["files"]
        let countsText: String = row["counts"]
        return FeedRun(
            id: row["id"], state: state, created: row["created"], startedBy: row["started_by"],
            approvedBy: row["approved_by"],
            files: try JSONDecoder().decode([FeedFileInfo].self, from: Data(filesText.utf8)),
            holdReason: row["hold_reason"], failureReason: row["failure_reason"],
            counts: try JSONDecoder().decode([String: Int].self, from: Data(countsText.utf8)),
            errors: row["errors"], planned: row["planned"], appliedThrough: row["applied_through"],
            filesPruned: row["files_pruned"])
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
