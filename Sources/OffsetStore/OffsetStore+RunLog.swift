import GRDB
import SCIM

/// One run of a pipeline (a daemon start, a reconciliation, a feed upload) as the run log
/// keeps it.
public struct RunRecord: Sendable, Hashable {
    public var id: Int64
    public var pipeline: String
    /// `run` (the daemon), `load` (a first load into an empty target) or `reconcile`.
    public var kind: String
    /// RFC 3339, UTC.
    public var startedAt: String
    /// Nil while the run goes on (or when it never ended: a crash).
    public var endedAt: String?
    /// Operations applied, by kind (`create`, `patch`, `addMember`, ...).
    public var ops: [String: Int]
    /// Why the run stopped, when it failed; never carries row values.
    public var error: String?
}

extension OffsetStore {
    /// Records the start of a run; returns its id for `finishRun`.
    public func startRun(pipeline: String, kind: String = "run") throws(OffsetStoreError) -> Int64 {
        do {
            return try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO runs (pipeline, kind, started_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    arguments: [pipeline, kind])
                return db.lastInsertedRowID
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Records the end of a run with its operation counts and, if it failed, why.
    public func finishRun(_ id: Int64, ops: [String: Int], error message: String?) throws(OffsetStoreError) {
        let counts = SCIMValue.object(SCIMObject(ops.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))
        do {
            try queue.write { db in
                try db.execute(
                    sql: "UPDATE runs SET ended_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ops = ?, error = ? WHERE id = ?",
                    arguments: [counts.jsonString(), message, id])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// The latest runs of `pipeline` (of one kind, or all), newest first.
    public func runs(pipeline: String, kind: String? = nil, limit: Int = 20) throws(OffsetStoreError) -> [RunRecord] {
        let rows: [GRDB.Row]
        do {
            rows = try queue.read { db in
                try GRDB.Row.fetchAll(
                    db,
                    sql: "SELECT id, pipeline, kind, started_at, ended_at, ops, error FROM runs WHERE pipeline = ? "
                        + "AND (? IS NULL OR kind = ?) ORDER BY id DESC LIMIT ?",
                    arguments: [pipeline, kind, kind, limit])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
        return rows.map { row in
            var ops: [String: Int] = [:]
            let opsText: String? = row["ops"]
            if let opsText, let object = (try? SCIMValue(json: opsText))?.objectValue {
                for (key, value) in object.members {
                    if case .integer(let count) = value { ops[key] = Int(count) }
                }
            }
            return RunRecord(
                id: row["id"], pipeline: row["pipeline"], kind: row["kind"], startedAt: row["started_at"], endedAt: row["ended_at"], ops: ops,
                error: row["error"])
        }
    }
}
