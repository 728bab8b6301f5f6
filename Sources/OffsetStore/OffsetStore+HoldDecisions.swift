import GRDB

/// An approval or a rejection of a pipeline's hold, as recorded.
public struct HoldDecision: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable {
        /// The next pass goes through once.
        case approved
        /// The hold stays and an approval not yet used is withdrawn.
        case rejected
    }

    public var pipeline: String
    /// UTC, ISO 8601 with milliseconds.
    public var at: String
    public var decision: Decision
    /// Who decided, as the caller names them (`admin page (alice)`, `scimsync approve`).
    public var by: String
    /// The hold's reason when the decision was made.
    public var holdReason: String?
    /// What was decided when it is not the pipeline's reconciliation hold (`feed run 3`).
    public var subject: String?
}

extension OffsetStore {
    /// Approves the next pass of `pipeline` (as ``approve(pipeline:)``) and records who did,
    /// in one transaction.
    public func approve(pipeline: String, by: String) throws(OffsetStoreError) {
        try decide(.approved, pipeline: pipeline, by: by) { db in
            try db.execute(
                sql: "INSERT INTO holds (pipeline, reason, since, approved) VALUES (?, 'approved before any refusal', "
                    + "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1) ON CONFLICT (pipeline) DO UPDATE SET approved = 1",
                arguments: [pipeline])
        }
    }

    /// Rejects what the hold of `pipeline` would let through: the hold stays, an approval
    /// not yet used is withdrawn, and who rejected it is recorded.
    public func reject(pipeline: String, by: String) throws(OffsetStoreError) {
        try decide(.rejected, pipeline: pipeline, by: by) { db in
            try db.execute(sql: "UPDATE holds SET approved = 0 WHERE pipeline = ?", arguments: [pipeline])
        }
    }

    /// Records a decision on something else `pipeline` held for a person (a feed run), made
    /// where that thing is kept; `subject` names it (`feed run 3`), `reason` is why it was held.
    public func recordDecision(
        _ decision: HoldDecision.Decision, pipeline: String, subject: String, by: String, reason: String?
    ) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO hold_decisions (pipeline, at, decision, decided_by, hold_reason, subject)
                        VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?, ?)
                        """,
                    arguments: [pipeline, decision.rawValue, by, reason, subject])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The latest decisions on the holds of `pipeline`, newest first.
    public func holdDecisions(pipeline: String, limit: Int = 10) throws(OffsetStoreError) -> [HoldDecision] {
        do {
            return try queue.read { db in
                try GRDB.Row.fetchAll(
                    db,
                    sql: "SELECT * FROM hold_decisions WHERE pipeline = ? ORDER BY seq DESC LIMIT ?",
                    arguments: [pipeline, limit]
                ).compactMap { row in
                    HoldDecision.Decision(rawValue: row["decision"]).map {
                        HoldDecision(
                            pipeline: row["pipeline"], at: row["at"], decision: $0, by: row["decided_by"],
                            holdReason: row["hold_reason"], subject: row["subject"])
                    }
                }
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }

    private func decide(
        _ decision: HoldDecision.Decision, pipeline: String, by: String, _ change: (Database) throws -> Void
    ) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                let reason = try String.fetchOne(db, sql: "SELECT reason FROM holds WHERE pipeline = ?", arguments: [pipeline])
                try change(db)
                try db.execute(
                    sql: """
                        INSERT INTO hold_decisions (pipeline, at, decision, decided_by, hold_reason)
                        VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?)
                        """,
                    arguments: [pipeline, decision.rawValue, by, reason])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }
}
