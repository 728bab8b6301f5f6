import Foundation
import GRDB

/// What the daemon last reported of a pipeline: its state's name, the state with its reason,
/// which process said so, and since when.
public struct ReportedState: Sendable, Hashable {
    public var state: String
    public var detail: String
    public var pid: Int32
    /// RFC 3339, UTC.
    public var since: String

    /// Whether the process that reported it still runs on this machine.
    public var reporterIsAlive: Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}

extension OffsetStore {
    /// Records the running daemon's state of `pipeline` (on every state change).
    public func report(state: String, detail: String, pipeline: String) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO pipeline_states (pipeline, state, detail, pid, since)
                        VALUES (?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                        ON CONFLICT (pipeline) DO UPDATE SET state = excluded.state, detail = excluded.detail,
                          pid = excluded.pid, since = excluded.since
                        """,
                    arguments: [pipeline, state, detail, Int64(getpid())])
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// What the daemon last reported of `pipeline`, if it ever did.
    public func reportedState(pipeline: String) throws(OffsetStoreError) -> ReportedState? {
        do {
            return try queue.read { db in
                try GRDB.Row.fetchOne(
                    db, sql: "SELECT state, detail, pid, since FROM pipeline_states WHERE pipeline = ?",
                    arguments: [pipeline]
                ).map {
                    ReportedState(
                        state: $0["state"], detail: $0["detail"], pid: Int32(truncatingIfNeeded: $0["pid"] as Int64),
                        since: $0["since"])
                }
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}

extension OffsetStore {
    /// Keeps that `pipeline` is paused because its source's tables do not fit the layout, or
    /// (nil) forgets it.
    public func setPausedForMapping(_ reason: String?, pipeline: String) throws(OffsetStoreError) {
        do {
            try queue.write { db in
                if let reason {
                    try db.execute(
                        sql: """
                            INSERT INTO mapping_pauses (pipeline, reason, since)
                            VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                            ON CONFLICT (pipeline) DO UPDATE SET reason = excluded.reason
                            """,
                        arguments: [pipeline, reason])
                } else {
                    try db.execute(sql: "DELETE FROM mapping_pauses WHERE pipeline = ?", arguments: [pipeline])
                }
            }
        } catch {
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    /// Why `pipeline` was left paused for its mapping, if it was.
    public func pausedForMapping(pipeline: String) throws(OffsetStoreError) -> String? {
        do {
            return try queue.read { db in
                try String.fetchOne(db, sql: "SELECT reason FROM mapping_pauses WHERE pipeline = ?", arguments: [pipeline])
            }
        } catch {
            throw .cannotRead(path: path, reason: "\(error)")
        }
    }
}
